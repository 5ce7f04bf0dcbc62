/**
 * The README's promises: `npm run demo` writes a non-blank report.png, and the library example
 * in the README runs as written.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadImage } from '@napi-rs/canvas';

const root = path.resolve(import.meta.dirname, '..');

async function inkFraction(file: string): Promise<{ width: number; height: number; ink: number }> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const image = await loadImage(fs.readFileSync(file));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) ink++;
  return { width: image.width, height: image.height, ink: ink / (data.length / 4) };
}

describe('README commands', () => {
  it('npm run demo writes reports/demo/report.png that decodes to a non-blank image', async () => {
    const started = Date.now();
    const result = spawnSync('npm', ['run', '-s', 'demo'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('completed');
    const png = path.join(root, 'reports', 'demo', 'report.png');
    expect(fs.statSync(png).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    const { width, height, ink } = await inkFraction(png);
    expect(width).toBeGreaterThan(1000);
    expect(height).toBeGreaterThan(500);
    expect(ink).toBeGreaterThan(0.01);
    const summary = JSON.parse(fs.readFileSync(path.join(root, 'reports', 'demo', 'summary.json'), 'utf8'));
    expect(summary.final.trainAccuracy).toBeGreaterThan(0.95);
    expect(summary.final.testAccuracy).toBeGreaterThan(0.9);
  });

  it('the library example in the README runs as written', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const match = readme.match(/## Library use[\s\S]*?```ts\n([\s\S]*?)```/);
    expect(match).not.toBeNull();
    const script = path.join(root, 'reports', `readme-example-${process.pid}.ts`);
    fs.mkdirSync(path.dirname(script), { recursive: true });
    fs.writeFileSync(script, match![1]);
    try {
      const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [script], { cwd: root, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^completed /);
      expect(fs.existsSync(path.join(root, 'reports', 'library-example', 'report.png'))).toBe(true);
      const lines = fs.readFileSync(path.join(root, 'reports', 'library-example', 'metrics.jsonl'), 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(5);
    } finally {
      fs.rmSync(script, { force: true });
    }
  });
});
