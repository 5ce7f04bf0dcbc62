/**
 * Child process of the local executor (localExecutor.ts): its own TF.js backend, one point at a
 * time, each run with `runStudyPoint` — exactly what a Slurm task runs — so a point's record does
 * not depend on which executor ran it. SIGINT/SIGTERM stop the current run between two steps
 * with a checkpoint (status 'interrupted'); the child then exits.
 */
import { runStudyPoint } from './runPoint.ts';
import type { FromPointWorker, ToPointWorker } from './localExecutor.ts';

const send = (message: FromPointWorker) => process.send?.(message);
const controller = new AbortController();
const stop = () => controller.abort();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', () => { controller.abort(); setTimeout(() => process.exit(0), 10_000).unref(); });

let chain: Promise<void> = Promise.resolve();

async function handle(message: ToPointWorker): Promise<void> {
  if (message.type === 'stop') {
    process.disconnect?.();
    process.exit(0);
  }
  const started = Date.now();
  try {
    const summary = await runStudyPoint(message.studyDir, message.config, message.dir, {
      signal: controller.signal,
      log: (line) => send({ type: 'log', line }),
    });
    const detail = summary.status === 'diverged' ? `at step ${summary.divergedAtStep}` : summary.status === 'interrupted' ? `at step ${summary.stepsDone}` : summary.stoppedEarly ? `stopped early at step ${summary.stepsDone}` : undefined;
    send({ type: 'done', folder: message.folder, status: summary.status, seconds: (Date.now() - started) / 1000, detail });
  } catch (error) {
    send({ type: 'done', folder: message.folder, status: controller.signal.aborted ? 'interrupted' : 'failed', seconds: (Date.now() - started) / 1000, detail: (error as Error).message.split('\n')[0] });
  }
  if (controller.signal.aborted) {
    process.disconnect?.();
    process.exit(0);
  }
}

process.on('message', (message: ToPointWorker) => {
  chain = chain.then(() => handle(message));
});
