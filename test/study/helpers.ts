/** Helpers for the engine tests: the ibl CLI in a child process (plain node + tsx's loader, so signals reach it directly). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(import.meta.dirname, '..', '..');
const main = path.join(root, 'src', 'cli', 'main.ts');
const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const env = { ...process.env, CI: '1' };

export function ibl(args: string[], cwd: string) {
  return spawnSync(process.execPath, ['--import', loader, main, ...args], { cwd, encoding: 'utf8', env });
}

export function iblAsync(args: string[], cwd: string): { child: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', loader, main, ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function readMetrics(dir: string): Record<string, unknown>[] {
  return fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Run folders of a study folder (named `<label>-<10 hex digits>`). */
export function runFolders(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /-[0-9a-f]{10}$/.test(f)).sort();
}

export function summaryOf(dir: string): any {
  try { return readJson(path.join(dir, 'summary.json')); } catch { return null; }
}
