/**
 * Planning: a point's folder name depends only on what training computes (not on presentation,
 * checkpoint cadence or — for step-budget-independent schedules — the step budget); every bad or
 * duplicate point is named before anything is written. The run lock: a live holder keeps it, a
 * dead one's successor breaks it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { canonicalJson, pointFolderName } from '../../src/experiments/study/identity.ts';
import { planStudy } from '../../src/experiments/study/engine.ts';
import { parseScontrol, parseTaskIds, slurmJobScript } from '../../src/experiments/study/slurmExecutor.ts';
import { tryLockRun } from '../../src/train/runLock.ts';
import type { StudyDefinition } from '../../src/experiments/study/types.ts';

const base = { data: { dataset: 'digits', trainSize: 100 }, model: { hidden: [8] }, optimizer: { kind: 'gd', learningRate: 0.1 }, training: { steps: 30 } };
const config = (over: Record<string, unknown> = {}) => parseRunConfig({ ...structuredClone(base), ...over });

function study(points: { label: string; config: unknown }[]): StudyDefinition {
  return { kind: 'test', title: 't', points: points.map((p) => ({ label: p.label, tags: {}, config: p.config as never })), report: () => [] };
}

describe('study planning', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('names a point by label and identity: presentation, checkpoints and a constant-schedule step budget do not change it', () => {
    const a = pointFolderName('lr=0.1', config());
    expect(a).toMatch(/^lr=0\.1-[0-9a-f]{10}$/);
    expect(pointFolderName('lr=0.1', config({ name: 'other', report: { formats: ['svg'] }, checkpoint: { every: 5 } }))).toBe(a);
    expect(pointFolderName('lr=0.1', config({ training: { steps: 900 } }))).toBe(a);
    expect(pointFolderName('lr=0.1', config({ seed: 1 }))).not.toBe(a);
    expect(pointFolderName('lr=0.1', config({ optimizer: { kind: 'gd', learningRate: 0.2 } }))).not.toBe(a);
    // cosine: η(t) depends on the budget, so the budget is part of the run
    const cosine = (steps: number) => config({ optimizer: { kind: 'gd', learningRate: 0.1, schedule: { kind: 'cosine' } }, training: { steps } });
    expect(pointFolderName('c', cosine(30))).not.toBe(pointFolderName('c', cosine(60)));
    expect(pointFolderName('a b/c', config())).toMatch(/^a-b-c-[0-9a-f]{10}$/);
  });

  it('rejects a bad point and two points that are the same run, naming them, before writing anything', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-plan-')), 'study');
    const bad = { ...structuredClone(base), optimizer: { kind: 'gd', learningRate: -1 } };
    expect(() => planStudy(study([{ label: 'good', config: config() }, { label: 'bad', config: bad }]), out)).toThrow(/point bad: optimizer\.learningRate/);
    expect(() => planStudy(study([{ label: 'x', config: config() }, { label: 'x', config: config({ name: 'renamed' }) }]), out)).toThrow(/points x and x are the same run/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('run lock', () => {
  it('a live holder keeps the lock; a dead holder on this host or an expired lease elsewhere is broken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-lock-'));
    const first = tryLockRun(dir);
    expect('lock' in first).toBe(true);
    const second = tryLockRun(dir);
    expect('heldBy' in second && second.heldBy?.pid).toBe(process.pid);
    if ('lock' in first) first.lock.release();
    expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(false);

    // A holder on this host whose pid has exited: a dead child's pid.
    const deadPid = 2 ** 22 + 12345; // above the default pid_max, so never alive
    fs.writeFileSync(path.join(dir, 'run.lock'), JSON.stringify({ host: os.hostname(), pid: deadPid, token: 'dead', acquired: '' }));
    const lines: string[] = [];
    const broken = tryLockRun(dir, (l) => lines.push(l));
    expect('lock' in broken).toBe(true);
    expect(lines.join('\n')).toMatch(new RegExp(`holder pid ${deadPid} .* has exited`));
    if ('lock' in broken) broken.lock.release();

    // Another host: held while its lease is fresh, broken once it has not been renewed for a lease.
    fs.writeFileSync(path.join(dir, 'run.lock'), JSON.stringify({ host: 'elsewhere', pid: 1, token: 'remote', acquired: '' }));
    expect('heldBy' in tryLockRun(dir)).toBe(true);
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(dir, 'run.lock'), old, old);
    const taken = tryLockRun(dir);
    expect('lock' in taken).toBe(true);
    if ('lock' in taken) taken.lock.release();
  });
});

describe('slurm executor pieces', () => {
  it('parses array task ids and scontrol records; writes a job array script', () => {
    expect(parseTaskIds('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseTaskIds('1,4-5%2')).toEqual([1, 4, 5]);
    const states = parseScontrol('JobId=9 ArrayJobId=7 ArrayTaskId=2 JobState=FAILED Reason=NonZeroExitCode Restarts=1 ExitCode=137:0\nJobId=7 ArrayJobId=7 ArrayTaskId=3-4 JobState=PENDING Restarts=0 ExitCode=0:0\n');
    expect(states).toEqual([
      { task: 2, state: 'FAILED', restarts: 1, exitCode: '137:0' },
      { task: 3, state: 'PENDING', restarts: 0, exitCode: '0:0' },
      { task: 4, state: 'PENDING', restarts: 0, exitCode: '0:0' },
    ]);
    const script = slurmJobScript('/shared/study', '/shared/study/slurm/tasks.txt', 6, 'sweep', { partition: 'cpu', time: '1:00:00', cpusPerTask: 2, mem: '4G' });
    for (const line of ['#SBATCH --array=0-5', '#SBATCH --requeue', '#SBATCH --partition=cpu', '#SBATCH --time=1:00:00', '#SBATCH --cpus-per-task=2', '#SBATCH --mem=4G']) expect(script).toContain(line);
    expect(script).toMatch(/ run "\$study\/slurm\/configs\/\$folder\.json" --out "\$study\/\$folder" --study "\$study"/);
  });
});
