/** `ibl reproduce seed-claims [--out DIR] [--only 1,3] [--smoke]` */
import { parseArgs } from 'node:util';
import { setupBackend } from '../backend/setup.ts';
import { runSeedClaims } from '../experiments/seedClaims/index.ts';
import { defaultProgress } from '../util/progress.ts';

export const reproduceSeedClaimsUsage = `ibl reproduce seed-claims [--out DIR] [--only 1,3,...] [--smoke]
  Reproduce the eight textbook implicit-bias claims (min-norm GD, entropic mirror descent,
  logistic max margin, ℓ1/ℓ∞ margins of coordinate/sign descent, diagonal networks, early
  stopping ≈ ridge, homogeneous-network margins, implicit gradient regularisation) against
  float64 references. Prints one verdict
  line per claim, writes DIR (default reports/seed-claims) with claim-<k>.png and summary.md, and
  exits with status 1 if any claim fails.
  --only LIST   run only these claims
  --smoke       small sizes (seconds; thresholds of claims 3 and 4 are for the full sizes)`;

export async function reproduceSeedClaimsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'reports/seed-claims' },
      only: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${reproduceSeedClaimsUsage}\n`);
    return 0;
  }
  const claims = values.only?.split(',').map((s) => {
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id < 1 || id > 8) throw new Error(`--only: '${s}' is not a claim number 1–8`);
    return id;
  });
  const started = Date.now();
  const backend = await setupBackend();
  process.stderr.write(`seed claims on ${backend.name}${values.smoke ? ' (smoke sizes)' : ''} → ${values.out}/\n`);
  const results = await runSeedClaims({
    outDir: values.out!,
    claims,
    size: values.smoke ? 'smoke' : 'full',
    progress: defaultProgress,
    onVerdict: (line) => process.stdout.write(`${line}\n`),
  });
  const failed = results.filter((r) => !r.pass).map((r) => r.id);
  process.stdout.write(`${results.length - failed.length}/${results.length} claims pass in ${((Date.now() - started) / 1000).toFixed(1)} s; report: ${values.out}/summary.md\n`);
  return failed.length > 0 ? 1 : 0;
}
