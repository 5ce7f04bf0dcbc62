/**
 * The Slurm executor: the pending points of a study as one job array, one point per task.
 *
 *   <study>/slurm/configs/<folder>.json   each point's resolved run config
 *   <study>/slurm/tasks-<stamp>.txt       line i+1 = the folder of array task i
 *   <study>/slurm/job-<stamp>.sh          `sbatch --array=0-(n−1) --requeue`; each task execs
 *                                         `ibl run <config> --out <study>/<folder> --study <study>`
 *   <study>/slurm/logs/<job>_<task>.out   task output (appended across requeues)
 *   <study>/slurm/jobs.json               every submission: job id, time, task file
 *
 * The study folder must be on a filesystem every node sees, and the toolkit installed at the same
 * path on every node (the script calls this node binary and this checkout). A task is the ordinary
 * run: resumable from its checkpoint, under the folder's lock, so a task Slurm starts twice (a
 * requeue while the first attempt is still writing) yields one record. With `wait`, the array is
 * followed with `scontrol show job` every 2 s (no slurmdbd needed): tasks ending FAILED or
 * NODE_FAIL are requeued (`scontrol requeue`) until they have been restarted `retries` times,
 * then recorded as failed; the study goes on. Without `wait`, the job id is returned and
 * `ibl report DIR` collects whenever the array is done.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.ts';
import type { PlannedPoint, StudyPlan } from './engine.ts';
import type { StudyProgress } from './progress.ts';

export interface SlurmOptions {
  partition?: string;
  /** Time limit per task, Slurm syntax (e.g. '2:00:00'). */
  time?: string;
  cpusPerTask?: number;
  /** Memory per task, Slurm syntax (e.g. '4G'). */
  mem?: string;
  /** Extra sbatch arguments, passed as given. */
  sbatchArgs?: string[];
  /** Requeue a task that ends FAILED or NODE_FAIL until it has been restarted this often (default 2). */
  retries?: number;
  /** Seconds between polls while waiting (default 2). */
  pollSeconds?: number;
}

const mainScript = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The job script for `tasksFile` (pure, for tests). */
export function slurmJobScript(studyDir: string, tasksFile: string, count: number, kind: string, options: SlurmOptions): string {
  const directives = [
    `--job-name=ibl-${kind}`,
    `--array=0-${count - 1}`,
    '--requeue',
    '--open-mode=append',
    `--output=${path.join(studyDir, 'slurm', 'logs', '%A_%a.out')}`,
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
  ];
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    '# One point of the study per array task: the ordinary `ibl run` on the point\'s config.',
    'set -eu',
    `study=${shellQuote(studyDir)}`,
    `folder=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(tasksFile)})`,
    'echo "ibl: task ${SLURM_ARRAY_TASK_ID} (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date -u +%FT%TZ): ${folder}"',
    `exec ${shellQuote(process.execPath)} --import ${shellQuote(tsxLoader)} ${shellQuote(mainScript)} run "$study/slurm/configs/$folder.json" --out "$study/$folder" --study "$study"`,
    '',
  ].join('\n');
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${command} not found: the Slurm executor needs Slurm's client commands (and SLURM_CONF when the cluster is not the default)`);
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export interface TaskState { task: number; state: string; restarts: number; exitCode: string }

/** Parse `0-5`, `3`, `1,4-6`, `0-9%2` into task numbers. */
export function parseTaskIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.replace(/%\d+$/, '').split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) ids.push(i);
  }
  return ids;
}

/** Array task states from `scontrol show job -o <id>` (one record per task or pending range). */
export function parseScontrol(text: string): TaskState[] {
  const states: TaskState[] = [];
  for (const line of text.split('\n')) {
    const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1];
    const ids = field('ArrayTaskId');
    const state = field('JobState');
    if (ids === undefined || state === undefined) continue;
    for (const task of parseTaskIds(ids)) states.push({ task, state, restarts: Number(field('Restarts') ?? 0), exitCode: field('ExitCode') ?? '' });
  }
  return states;
}

const finalStates = new Set(['COMPLETED', 'FAILED', 'NODE_FAIL', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);
const retriedStates = new Set(['FAILED', 'NODE_FAIL']);

function readSummary(dir: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function executeSlurm(
  plan: StudyPlan,
  pending: PlannedPoint[],
  options: SlurmOptions & { wait: boolean; progress: StudyProgress; log: (line: string) => void },
): Promise<{ jobId: string; interrupted: boolean }> {
  const slurmDir = path.join(plan.outDir, 'slurm');
  fs.mkdirSync(path.join(slurmDir, 'logs'), { recursive: true });
  for (const point of pending) writeJsonAtomic(path.join(slurmDir, 'configs', `${point.folder}.json`), point.config);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const tasksFile = path.join(slurmDir, `tasks-${stamp}.txt`);
  writeFileAtomic(tasksFile, `${pending.map((p) => p.folder).join('\n')}\n`);
  const scriptFile = path.join(slurmDir, `job-${stamp}.sh`);
  writeFileAtomic(scriptFile, slurmJobScript(plan.outDir, tasksFile, pending.length, plan.manifest.kind, options));
  fs.chmodSync(scriptFile, 0o755);
  const jobId = run('sbatch', ['--parsable', ...(options.sbatchArgs ?? []), scriptFile]).trim().split(';')[0];
  const jobsFile = path.join(slurmDir, 'jobs.json');
  const jobs = fs.existsSync(jobsFile) ? JSON.parse(fs.readFileSync(jobsFile, 'utf8')) as unknown[] : [];
  writeJsonAtomic(jobsFile, [...jobs, { jobId, submitted: new Date().toISOString(), tasks: path.basename(tasksFile), script: path.basename(scriptFile), points: pending.length }]);
  options.log(`slurm: submitted job array ${jobId} (${pending.length} tasks): ${scriptFile}`);
  if (!options.wait) {
    options.log(`slurm: not waiting; follow it with squeue -j ${jobId}, then collect with: ibl report ${plan.outDir}`);
    return { jobId, interrupted: false };
  }

  const retries = options.retries ?? 2;
  const pollMs = (options.pollSeconds ?? 2) * 1000;
  const seen = new Map<number, { state: string; started: number; restarts: number }>();
  const ended = new Set<number>();
  let stop = false;
  const onSignal = () => {
    stop = true;
    options.log(`slurm: stopped following job ${jobId}; its tasks go on — collect later with: ibl report ${plan.outDir}`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop && ended.size < pending.length) {
      let states: TaskState[];
      try {
        states = parseScontrol(run('scontrol', ['show', 'job', '-o', jobId]));
      } catch (error) {
        if (!/Invalid job id/i.test((error as Error).message)) throw error;
        states = []; // the array has left slurmctld's memory: every task has ended
        for (let task = 0; task < pending.length; task++) if (!ended.has(task)) states.push({ task, state: 'COMPLETED', restarts: 0, exitCode: '' });
      }
      for (const s of states) {
        if (ended.has(s.task) || s.task >= pending.length) continue;
        const point = pending[s.task];
        const before = seen.get(s.task);
        if (s.state === 'RUNNING' && before?.state !== 'RUNNING') {
          options.progress.started(point.label);
          seen.set(s.task, { state: s.state, started: Date.now(), restarts: s.restarts });
          continue;
        }
        if (!finalStates.has(s.state)) {
          if (before?.state === 'RUNNING' && s.state !== 'RUNNING') options.progress.finished(point.label, 'requeued', (Date.now() - before.started) / 1000, `Slurm ${s.state}, restart ${s.restarts}`);
          seen.set(s.task, { state: s.state, started: before?.started ?? Date.now(), restarts: s.restarts });
          continue;
        }
        const seconds = before ? (Date.now() - before.started) / 1000 : 0;
        if (retriedStates.has(s.state) && s.restarts < retries) {
          options.log(`slurm: task ${jobId}_${s.task} (${point.label}) ended ${s.state} (exit ${s.exitCode}); requeueing (restart ${s.restarts + 1} of ${retries})`);
          run('scontrol', ['requeue', `${jobId}_${s.task}`]);
          if (before?.state === 'RUNNING') options.progress.finished(point.label, 'requeued', seconds, `${s.state}`);
          seen.set(s.task, { state: 'REQUEUED', started: Date.now(), restarts: s.restarts + 1 });
          continue;
        }
        ended.add(s.task);
        const summary = readSummary(point.dir);
        let status = String(summary?.status ?? 'not started');
        if (s.state !== 'COMPLETED' && status !== 'completed' && status !== 'diverged') {
          // Out of retries (or cancelled, timed out): the point is recorded as failed, its checkpoint kept.
          const reason = `Slurm task ${jobId}_${s.task} ended ${s.state} (exit ${s.exitCode}) after ${s.restarts} restart(s)`;
          writeJsonAtomic(path.join(point.dir, 'summary.json'), { name: point.config.name, stepsRequested: point.config.training.steps, stepsDone: 0, wallTimeSeconds: 0, ...(summary ?? {}), status: 'failed', error: reason });
          status = 'failed';
        }
        if (before?.state !== 'RUNNING') options.progress.started(point.label);
        options.progress.finished(point.label, status, seconds, s.state === 'COMPLETED' ? undefined : s.state);
      }
      if (ended.size < pending.length && !stop) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { jobId, interrupted: false };
}
