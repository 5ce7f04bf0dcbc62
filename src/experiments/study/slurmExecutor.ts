/** Slurm executor: job array, one point per task (being written). */
import type { StudyPlan, PlannedPoint } from './engine.ts';
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
  /** Requeue a task that ends FAILED or NODE_FAIL up to this many times (default 2). */
  retries?: number;
}

export async function executeSlurm(_plan: StudyPlan, _pending: PlannedPoint[], _options: SlurmOptions & { wait: boolean; progress: StudyProgress; log: (line: string) => void }): Promise<{ jobId: string; interrupted: boolean }> {
  throw new Error('the Slurm executor is not implemented yet');
}
