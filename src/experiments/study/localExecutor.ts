/**
 * The local executor: a pool of N child processes (default: the cores; TF.js's wasm backend is
 * single-threaded in Node), each with its own backend, handed one point at a time, longest
 * budgets first to shorten the tail. Ctrl-C or SIGTERM stops every child between two steps with
 * a checkpoint and leaves each run resumable; a second Ctrl-C kills them (the last periodic
 * checkpoint still resumes). A child that dies mid-point has that point recorded as failed (its
 * checkpoint kept) and is replaced; after 3 children die without finishing anything, the points
 * still queued are recorded as failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunConfig } from '../runConfig.ts';
import { writeJsonAtomic } from '../../util/atomicWrite.ts';
import type { StudyProgress } from './progress.ts';

export interface PointTask { folder: string; dir: string; label: string; config: RunConfig }

export type ToPointWorker = { type: 'run'; studyDir: string; folder: string; dir: string; config: RunConfig } | { type: 'stop' };
export type FromPointWorker =
  | { type: 'log'; line: string }
  | { type: 'done'; folder: string; status: string; seconds: number; detail?: string };

const workerEntry = fileURLToPath(new URL('./pointWorker.ts', import.meta.url));
/** tsx's ESM loader, by absolute URL so the child works from any working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Record a point whose process was lost as failed, keeping its checkpoint for a rerun. */
function recordLost(dir: string, reason: string): void {
  const file = path.join(dir, 'summary.json');
  const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  writeJsonAtomic(file, { ...previous, status: 'failed', error: reason });
}

export interface LocalOptions {
  studyDir: string;
  jobs: number;
  progress: StudyProgress;
  log: (line: string) => void;
}

/** Runs every task; resolves when all have ended or after an interruption, saying which. */
export function executeLocal(tasks: PointTask[], options: LocalOptions): Promise<{ interrupted: boolean }> {
  const queue = [...tasks].sort((a, b) => b.config.training.steps - a.config.training.steps);
  const children = new Set<ChildProcess>();
  let pending = tasks.length;
  let fruitlessDeaths = 0;
  let stopping = 0;
  return new Promise((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      stopping++;
      if (stopping === 1) {
        options.log(`${name}: stopping every point after its current step (checkpoint saved; rerun the same command to continue)…`);
        queue.length = 0;
        for (const child of children) child.kill('SIGTERM');
      } else {
        for (const child of children) child.kill('SIGKILL');
      }
    };
    const finishAll = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ interrupted: stopping > 0 });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (pending === 0) { finishAll(); return; }
    const settle = () => {
      if (children.size === 0 && (pending === 0 || stopping > 0 || queue.length === 0)) finishAll();
    };
    const start = () => {
      const child = fork(workerEntry, [], {
        execArgv: ['--import', tsxLoader],
        // stdout carries only TF.js's banner; stderr is passed through for crashes.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'advanced',
        // With several children each on its own core, a second BLAS thread per child (native
        // backend) would only compete with the other children; one each unless the user says.
        env: options.jobs > 1 ? { IBL_NATIVE_BLAS_THREADS: '1', ...process.env } : process.env,
      });
      children.add(child);
      let current: PointTask | null = null;
      let finishedAny = false;
      const next = () => {
        const task = stopping ? undefined : queue.shift();
        if (task === undefined) {
          current = null;
          child.send({ type: 'stop' } satisfies ToPointWorker);
          return;
        }
        current = task;
        options.progress.started(task.label);
        child.send({ type: 'run', studyDir: options.studyDir, folder: task.folder, dir: task.dir, config: task.config } satisfies ToPointWorker);
      };
      child.on('message', (message: FromPointWorker) => {
        if (message.type === 'log') { options.log(message.line); return; }
        if (!current || message.folder !== current.folder) return;
        options.progress.finished(current.label, message.status, message.seconds, message.detail);
        current = null;
        finishedAny = true;
        pending--;
        next();
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (current !== null) {
          const how = signal ? `signal ${signal}` : `code ${code}`;
          const task = current;
          current = null;
          pending--;
          if (stopping) {
            options.progress.finished(task.label, 'interrupted', 0, `process ended (${how})`);
          } else {
            const reason = `worker process exited during the run (${how})`;
            recordLost(task.dir, reason);
            options.progress.finished(task.label, 'failed', 0, reason);
          }
          if (!finishedAny) fruitlessDeaths++;
          if (!stopping && queue.length > 0) {
            if (fruitlessDeaths < 3) {
              start();
            } else {
              for (const lost of queue.splice(0)) {
                const reason = `not run: ${fruitlessDeaths} worker processes exited before finishing a point (last: ${how})`;
                recordLost(lost.dir, reason);
                pending--;
                options.progress.finished(lost.label, 'failed', 0, reason);
              }
            }
          }
        }
        settle();
      });
      child.once('spawn', next);
    };
    for (let j = 0; j < Math.max(1, Math.min(options.jobs, queue.length)); j++) start();
  });
}
