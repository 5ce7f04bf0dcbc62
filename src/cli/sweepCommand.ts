/** `ibl sweep CONFIG.json --grid path=v1,v2,... [--grid ...] [--set path=value ...] [--out DIR] [executor options]` */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides } from '../experiments/runConfig.ts';
import { expandGrid, parseGridAxis, sweepStudy } from '../experiments/sweep.ts';
import { runStudy } from '../experiments/study/engine.ts';
import { readConfigFile } from './runCommand.ts';
import { studyExit, studyOptionsUsage, studyParseOptions, studyRunOptions } from './studyOptions.ts';

export const sweepUsage = `ibl sweep CONFIG.json --grid path=v1,v2,... [--grid ...] [--set path=value ...] [--out DIR]
  Run CONFIG at every point of the grid (cartesian product) on the study engine: each point is a
  resumable run record in DIR/<point>-<hash>/ (default DIR reports/<name>-sweep/); then write
  DIR/summary.md and summary.csv (one row per point), sweep.json and sweep.png. \`--grid seed=0,1,2\`
  adds replicates (mean ± s.d. over seeds). Diverged or failed points are recorded and the sweep
  goes on; the exit status is non-zero when any point failed. A rerun trains only what is
  missing; a larger training.steps continues each run from its checkpoint.
${studyOptionsUsage}`;

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      ...studyParseOptions,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1 || (values.grid ?? []).length === 0) {
    process.stdout.write(`${sweepUsage}\n`);
    return values.help ? 0 : 2;
  }
  const file = positionals[0];
  const base = applyOverrides(readConfigFile(file), values.set ?? []);
  const axes = (values.grid ?? []).map(parseGridAxis);
  const points = expandGrid(base, axes, file);
  const outDir = values.out ?? path.join('reports', `${String(base.name ?? 'sweep')}-sweep`);
  const options = studyRunOptions(values, outDir);
  const result = await runStudy(sweepStudy(points, { axes }), options);
  return studyExit('sweep', result, outDir);
}
