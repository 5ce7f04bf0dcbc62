/** `ibl sweep CONFIG.json --grid path=v1,v2,... [--grid ...] [--set path=value ...] [--out DIR]` */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides } from '../experiments/runConfig.ts';
import { expandGrid, parseGridAxis, runSweep } from '../experiments/sweep.ts';
import { defaultProgress } from '../util/progress.ts';
import { readConfigFile } from './runCommand.ts';

export const sweepUsage = `ibl sweep CONFIG.json --grid path=v1,v2,... [--grid ...] [--set path=value ...] [--out DIR]
  Run CONFIG at every point of the grid (cartesian product), each as a resumable run record in
  DIR/<point>/ (default reports/<name>-sweep/), then write DIR/sweep.json, summary.md, sweep.png.
  Diverged or failed points are recorded and the sweep goes on.`;

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
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
  const results = await runSweep(points, axes, { outDir, progress: defaultProgress, log: (l) => process.stderr.write(`${l}\n`) });
  const counts = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  process.stdout.write(`sweep: ${results.length} points (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}); record: ${outDir}/\n`);
  return 0;
}
