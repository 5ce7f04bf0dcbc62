/**
 * Runs of the Zhang sweep in child processes (parent side). TF.js's wasm backend is
 * single-threaded in Node, so on 2 cores two processes train about twice as many runs per
 * minute as one. Each child (worker.ts, loaded through tsx) sets up the same backend, plans the
 * same runs from the same config, and trains the run indices it is handed one at a time with
 * `executeZhangRun` — the function the in-process sweep uses — so a run's record depends only on
 * its config, never on which worker ran it or when. Results come back over the IPC channel.
 *
 * Scheduling: longest first (conv nets, then the rest in plan order) to shorten the tail.
 * A worker that dies mid-run (crash, out of memory) has that run recorded as failed and is
 * replaced while runs remain; the sweep goes on. Workers that keep dying before finishing any
 * run (e.g. the backend cannot start) are not restarted forever: after 3 such deaths the runs
 * still queued are recorded as failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ZhangConfig } from './config.ts';
import { unfinishedZhangResult, type ZhangRunResult, type ZhangRunSpec } from './sweep.ts';

export interface WorkerInit { config: ZhangConfig; outDir: string; trainExamples: number }

/** Parent → worker. */
export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'run'; index: number } | { type: 'stop' };
/** Worker → parent. */
export type FromWorker =
  | { type: 'ready'; backend: string; runs: number }
  | { type: 'log'; line: string }
  | { type: 'result'; index: number; result: ZhangRunResult }
  | { type: 'fatal'; message: string };

interface Hooks {
  log: (line: string) => void;
  onStart: (index: number) => void;
  onResult: (index: number, result: ZhangRunResult) => void;
}

const workerEntry = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** tsx's ESM loader, by absolute URL so the child works from any working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs `indices` of `runs` on `jobs` child processes; resolves when every index has a result. */
export function runInWorkers(runs: ZhangRunSpec[], indices: number[], jobs: number, init: WorkerInit, hooks: Hooks): Promise<void> {
  const queue = [...indices].sort((a, b) => Number(runs[b].conv) - Number(runs[a].conv) || a - b);
  let pending = indices.length;
  let fruitlessDeaths = 0;
  return new Promise((resolve) => {
    if (pending === 0) { resolve(); return; }
    const finish = (index: number, result: ZhangRunResult) => {
      hooks.onResult(index, result);
      if (--pending === 0) resolve();
    };
    const start = () => {
      const child: ChildProcess = fork(workerEntry, [], {
        execArgv: ['--import', tsxLoader],
        // stdout carries only TF.js's banner; stderr is passed through for crashes.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      let current: number | null = null;
      let stopped = false;
      let finishedAny = false;
      const next = () => {
        const index = queue.shift();
        if (index === undefined) {
          stopped = true;
          child.send({ type: 'stop' } satisfies ToWorker);
          return;
        }
        current = index;
        hooks.onStart(index);
        child.send({ type: 'run', index } satisfies ToWorker);
      };
      child.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            if (message.runs !== runs.length) {
              hooks.log(`worker ${child.pid}: planned ${message.runs} runs, expected ${runs.length}; stopping it`);
              child.kill();
              return;
            }
            next();
            break;
          case 'log':
            hooks.log(message.line);
            break;
          case 'result':
            current = null;
            finishedAny = true;
            finish(message.index, message.result);
            next();
            break;
          case 'fatal':
            hooks.log(`worker ${child.pid}: ${message.message}`);
            break;
        }
      });
      child.on('exit', (code, signal) => {
        if (stopped && current === null) return;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (current !== null) {
          const index = current;
          current = null;
          const reason = `worker process exited during the run (${how})`;
          hooks.log(`  ${runs[index].id}: failed — ${reason}`);
          finish(index, unfinishedZhangResult(runs[index], 'failed', reason));
        }
        if (!finishedAny) fruitlessDeaths++;
        if (queue.length === 0) return;
        if (fruitlessDeaths < 3) {
          start();
          return;
        }
        const reason = `not run: ${fruitlessDeaths} worker processes exited before finishing a run (last: ${how})`;
        for (const index of queue.splice(0)) finish(index, unfinishedZhangResult(runs[index], 'failed', reason));
      });
      child.send({ type: 'init', init } satisfies ToWorker);
    };
    for (let j = 0; j < jobs; j++) start();
  });
}
