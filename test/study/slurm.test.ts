/**
 * The Slurm executor on a real one-node cluster (scripts/slurm-local-cluster.sh; `.ci/run`
 * starts it and sets IBL_SLURM_REQUIRED=1, which turns a skip into a failure). The same 6-point
 * study runs with the local executor and as a Slurm job array; meanwhile one task's training
 * process is SIGKILLed (the engine requeues the FAILED task) and the node is marked DOWN and
 * RESUMEd (Slurm requeues its running tasks). Then: the same run folders, tables equal in every
 * column but times, every point completed exactly once, its metrics equal to the local run's.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGrid, sweepStudy } from '../../src/experiments/sweep.ts';
import { reportStudy, runStudy } from '../../src/experiments/study/engine.ts';
import { readJson, readMetrics, runFolders, summaryOf, until } from './helpers.ts';

function slurmCluster(): { ok: boolean; reason: string } {
  try {
    const state = execFileSync('sinfo', ['-h', '-n', 'localhost', '-o', '%T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
    if (!state) return { ok: false, reason: 'no Slurm node named localhost (start one with scripts/slurm-local-cluster.sh start and export SLURM_CONF)' };
    return { ok: true, reason: '' };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    return { ok: false, reason: e.code === 'ENOENT' ? 'Slurm is not installed (sinfo not found)' : `no reachable Slurm cluster: ${(e.stderr ?? e.message).trim().split('\n').pop()}` };
  }
}

const cluster = slurmCluster();
const required = process.env.IBL_SLURM_REQUIRED === '1';

const base = {
  name: 'slurm',
  data: { dataset: 'digits', trainSize: 100 },
  model: { hidden: [16] },
  optimizer: { kind: 'sgd', learningRate: 0.05, batchSize: 20 },
  training: { steps: 1500 },
  probes: { every: 50, trace: { samples: 2 } },
  checkpoint: { every: 50 },
};
const axes = [{ path: 'optimizer.learningRate', values: [0.05, 0.1, 0.2] }, { path: 'seed', values: [0, 1] }];

/** The table without the wall-time column (markdown) or field (CSV). */
function withoutTimes(dir: string): { md: string; csv: string } {
  const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8').split('\n').map((line) => {
    const cells = line.split('|');
    return cells.length > 6 ? cells.filter((_, i) => i !== 5).join('|') : line; // column 5 = wall time (s)
  }).join('\n');
  const [header, ...rows] = fs.readFileSync(path.join(dir, 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const drop = header.indexOf('wallTimeSeconds');
  const csv = [header, ...rows].map((r) => r.filter((_, i) => i !== drop).join(',')).join('\n');
  return { md, csv };
}

if (!cluster.ok && required) {
  it('the Slurm cluster CI expects is there', () => {
    throw new Error(`IBL_SLURM_REQUIRED=1 but the Slurm tests cannot run: ${cluster.reason}`);
  });
}

describe.skipIf(!cluster.ok)(`slurm executor${cluster.ok ? '' : ` — skipped: ${cluster.reason}`}`, () => {
  it('local and slurm give the same folders and tables; a killed task and a node failure are requeued and complete once, equal to the local run', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-slurm-'));
    const points = expandGrid(base, axes, 'test');
    const local = path.join(work, 'local');
    const remote = path.join(work, 'slurm');
    const log: string[] = [];
    const localRun = await runStudy(sweepStudy(points, { axes }), { outDir: local, jobs: 2, log: () => {} });
    expect(localRun.failed).toBe(0);

    let killed: string | null = null;
    let downed: string | null = null;
    const running = () => runFolders(remote).filter((f) => {
      const s = summaryOf(path.join(remote, f));
      return s?.status === 'running' && s.stepsDone >= 100 && fs.existsSync(path.join(remote, f, 'run.lock'));
    });
    const watcher = (async () => {
      await until(() => fs.existsSync(remote) && running().length > 0, 120_000, 'a Slurm task to train past a checkpoint');
      killed = running()[0];
      const holder = readJson(path.join(remote, killed, 'run.lock'));
      process.kill(holder.pid, 'SIGKILL');
      // Let the engine see the FAILED task and requeue it before the node goes down.
      await until(() => log.some((l) => / ended FAILED .*; requeueing/.test(l)), 120_000, 'the engine to requeue the killed task');
      // Another task past a checkpoint and well before its end (≤ 700 of 1,500 steps), so that it
      // cannot finish before the node is down (a task near its end made this test flaky).
      const early = () => running().find((f) => f !== killed && (summaryOf(path.join(remote, f))?.stepsDone ?? Infinity) <= 700);
      await until(() => early() !== undefined, 120_000, 'another task to train past a checkpoint');
      downed = early()!;
      execFileSync('scontrol', ['update', 'NodeName=localhost', 'State=DOWN', 'Reason=ibl-test']);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try { execFileSync('scontrol', ['update', 'NodeName=localhost', 'State=RESUME'], { stdio: 'ignore' }); } catch { /* ReturnToService=2 may have resumed it */ }
    })();
    const slurmRun = await runStudy(sweepStudy(points, { axes }), { outDir: remote, executor: 'slurm', wait: true, slurm: { retries: 3, pollSeconds: 1 }, log: (l) => log.push(l) });
    await watcher;
    expect(slurmRun.failed, log.join('\n')).toBe(0);
    expect(slurmRun.jobId).toMatch(/^\d+$/);
    expect(killed).not.toBeNull();
    expect(downed).not.toBeNull();

    expect(runFolders(remote)).toEqual(runFolders(local));
    await reportStudy(remote);
    await reportStudy(local);
    expect(withoutTimes(remote)).toEqual(withoutTimes(local));
    for (const folder of runFolders(local)) {
      const summary = summaryOf(path.join(remote, folder));
      expect(summary.status).toBe('completed');
      expect(summary.stepsDone).toBe(1500);
      expect(fs.existsSync(path.join(remote, folder, 'run.lock'))).toBe(false);
      const metrics = readMetrics(path.join(remote, folder));
      expect(new Set(metrics.map((m) => m.step)).size).toBe(metrics.length);
      expect(metrics).toEqual(readMetrics(path.join(local, folder)));
    }
    // Both disturbed points continued from a checkpoint rather than starting over.
    for (const folder of [killed!, downed!]) expect(summaryOf(path.join(remote, folder)).resumedFromStep).toBeGreaterThan(0);
    expect(log.join('\n')).toMatch(/ended FAILED .*; requeueing/);
    const logs = fs.readdirSync(path.join(remote, 'slurm', 'logs')).map((f) => fs.readFileSync(path.join(remote, 'slurm', 'logs', f), 'utf8')).join('\n');
    expect(logs).toMatch(/\(restart 1\) on .*: /);
    expect(readJson(path.join(remote, 'slurm', 'jobs.json'))).toHaveLength(1);
    fs.rmSync(work, { recursive: true, force: true });
  }, 400_000);
});
