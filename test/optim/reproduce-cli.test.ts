/** `ibl reproduce seed-claims`: verdict lines on stdout, figures and summary on disk, exit status. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

function ibl(args: string[], cwd: string) {
  return spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli', 'main.ts'), ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
}

describe('ibl reproduce', () => {
  it('seed-claims --only 6,1 --smoke prints verdicts, writes PNGs and summary.md, exits 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-claims-'));
    const result = ibl(['reproduce', 'seed-claims', '--only', '6,1', '--smoke', '--out', 'out'], dir);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^claim 6 {2}PASS {2}.*\(threshold 0\.2985/);
    expect(lines[1]).toMatch(/^claim 1 {2}PASS {2}.*\(threshold 1e-3\)$/);
    expect(lines[2]).toMatch(/^2\/2 claims pass/);
    expect(result.stderr).toMatch(/claim 6 \(early stopping ≈ ridge\): .*100%/); // progress lines
    for (const f of ['claim-1.png', 'claim-6.png', 'summary.md', 'summary.json']) expect(fs.existsSync(path.join(dir, 'out', f)), f).toBe(true);
    const png = fs.readFileSync(path.join(dir, 'out', 'claim-6.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const summary = fs.readFileSync(path.join(dir, 'out', 'summary.md'), 'utf8');
    expect(summary).toContain('2 of 2 claims pass');
    expect(summary).toMatch(/\| +1 \| GD on underdetermined least squares/);
  });

  it('rejects an unknown experiment or claim number', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-claims-'));
    const unknown = ibl(['reproduce', 'nonsense'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown study 'nonsense'");
    const badClaim = ibl(['reproduce', 'seed-claims', '--only', '9'], dir);
    expect(badClaim.status).toBe(1);
    expect(badClaim.stderr).toContain("--only: '9' is not a claim number 1–8");
  });
});
