/**
 * Child-process entry of the parallel Zhang sweep (see workers.ts): set up the backend, plan the
 * runs from the config it is sent, then train each run index it is handed with
 * `executeZhangRun` and send the record back. Not a CLI; started with `fork` by workers.ts.
 */
import { setupBackend } from '../../backend/setup.ts';
import { executeZhangRun, planZhangRuns, type ZhangRunSpec } from './sweep.ts';
import type { FromWorker, ToWorker, WorkerInit } from './workers.ts';

const send = (message: FromWorker) => process.send?.(message);
let state: { init: WorkerInit; runs: ZhangRunSpec[]; backend: string } | null = null;
let chain: Promise<void> = Promise.resolve();

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    const { config } = message.init;
    const backend = await setupBackend(config.backend === 'auto' ? undefined : config.backend);
    const runs = planZhangRuns(config, message.init.trainExamples);
    state = { init: message.init, runs, backend: backend.name };
    send({ type: 'ready', backend: backend.name, runs: runs.length });
  } else if (message.type === 'run') {
    if (!state) throw new Error('run before init');
    const spec = state.runs[message.index];
    const result = await executeZhangRun(spec, state.init.config, state.init.outDir, state.backend, (line) => send({ type: 'log', line }));
    send({ type: 'result', index: message.index, result });
  } else {
    process.disconnect?.();
  }
}

// The parent went away (or sent 'stop'): nothing more will come.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ToWorker) => {
  // One message at a time, in order.
  chain = chain.then(() => handle(message)).catch((error: Error) => {
    send({ type: 'fatal', message: error.message.split('\n')[0] });
    process.exit(1);
  });
});
