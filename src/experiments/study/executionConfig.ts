/**
 * Where a study's points run, as a field of the study config (`execution`), so that a study
 * file can say "run this on the cluster" once instead of on every command line. Every field
 * has the same name as its command-line flag (`--executor`, `--jobs`, `--partition`, `--time`,
 * `--cpus-per-task` ↔ `cpusPerTask`, `--mem`, `--sbatch-arg` ↔ `sbatchArgs`, `--retries`,
 * `--wait`); a flag given on the command line wins over the field.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const executionSchema = z.strictObject({
  executor: z.enum(['local', 'slurm']).optional(),
  jobs: positiveInt.optional(),
  wait: z.boolean().optional(),
  partition: z.string().min(1).optional(),
  time: z.string().min(1).optional(),
  cpusPerTask: positiveInt.optional(),
  mem: z.string().min(1).optional(),
  sbatchArgs: z.array(z.string()).optional(),
  retries: z.number().int().nonnegative().optional(),
});

export type ExecutionConfig = z.infer<typeof executionSchema>;
