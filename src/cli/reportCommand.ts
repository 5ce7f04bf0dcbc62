/** `ibl report DIR`: re-collect a study folder and redraw its tables and figures, training nothing. */
import { parseArgs } from 'node:util';
import { reportStudy } from '../experiments/study/engine.ts';

export const reportUsage = `ibl report DIR
  Re-collect the study in DIR (any study the engine ran: ibl sweep, ibl reproduce …) from its run
  folders and rewrite its tables and figures without training anything — e.g. after a Slurm job
  array ends, or to see how far an unfinished study has got. Exit status 1 when a point failed.`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`${reportUsage}\n`);
    return values.help ? 0 : 2;
  }
  const dir = positionals[0];
  const { collected, verdicts, failed } = await reportStudy(dir);
  const counts = collected.reduce<Record<string, number>>((acc, c) => {
    const status = c.summary?.status ?? 'not started';
    return { ...acc, [status]: (acc[status] ?? 0) + 1 };
  }, {});
  for (const v of verdicts) process.stdout.write(`${v.pass ? 'PASS' : 'FAIL'} ${v.claim}: ${v.detail}\n`);
  process.stdout.write(`report: ${collected.length} points (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}); rewrote the tables and figures in ${dir}/\n`);
  return failed > 0 || verdicts.some((v) => !v.pass) ? 1 : 0;
}
