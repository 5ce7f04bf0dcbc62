/**
 * `ibl reproduce seed-claims`: the eight textbook implicit-bias results, each an experiment with
 * a float64 reference, a verdict line (measured number and threshold) and a figure.
 * Writes <outDir>/claim-<k>.png and <outDir>/summary.md (+ summary.json).
 */
import * as path from 'node:path';
import { saveFigure } from '../../report/figure.ts';
import { markdownTable } from '../../report/markdownTable.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.ts';
import type { ProgressReporter } from '../../util/progress.ts';
import { verdictLine, type ClaimOptions, type ClaimResult, type ClaimSize } from './common.ts';
import { claim1 } from './claim1MinNorm.ts';
import { claim2 } from './claim2MirrorEntropy.ts';
import { claim3 } from './claim3LogisticMaxMargin.ts';
import { claim4 } from './claim4SteepestMargins.ts';
import { claim5 } from './claim5DiagonalNetwork.ts';
import { claim6 } from './claim6EarlyStoppingRidge.ts';
import { claim7 } from './claim7HomogeneousMargin.ts';
import { claim8 } from './claim8ImplicitGradientRegularisation.ts';

export { verdictLine, sci, type ClaimResult, type ClaimOptions, type ClaimSize } from './common.ts';
export { claim1, claim2, claim3, claim4, claim5, claim6, claim7, claim8 };

export const seedClaims: Record<number, (options: ClaimOptions) => ClaimResult | Promise<ClaimResult>> = {
  1: claim1, 2: claim2, 3: claim3, 4: claim4, 5: claim5, 6: claim6, 7: claim7, 8: claim8,
};

export interface SeedClaimsOptions {
  outDir: string;
  /** Which claims (default all, in order). */
  claims?: number[];
  size?: ClaimSize;
  /** A fresh reporter per claim. */
  progress?: () => ProgressReporter;
  /** Called with each verdict line as soon as its claim finishes. */
  onVerdict?: (line: string, result: ClaimResult) => void;
}

export async function runSeedClaims(options: SeedClaimsOptions): Promise<ClaimResult[]> {
  const ids = options.claims ?? Object.keys(seedClaims).map(Number);
  for (const id of ids) if (!seedClaims[id]) throw new Error(`unknown claim ${id} (known: ${Object.keys(seedClaims).join(', ')})`);
  const results: ClaimResult[] = [];
  for (const id of ids) {
    const result = await seedClaims[id]({ size: options.size ?? 'full', progress: options.progress?.() });
    saveFigure(result.figure, path.join(options.outDir, `claim-${id}.png`), {
      caption: `Seed claim ${id} (${options.size ?? 'full'} size): ${result.title}. Verdict: ${verdictLine(result)}`,
    });
    results.push(result);
    options.onVerdict?.(verdictLine(result), result);
  }
  writeFileAtomic(path.join(options.outDir, 'summary.md'), summaryMarkdown(results, options.size ?? 'full'));
  writeJsonAtomic(path.join(options.outDir, 'summary.json'), results.map(({ figure: _figure, ...rest }) => ({ ...rest, verdict: verdictLine(rest) })));
  return results;
}

export function summaryMarkdown(results: ClaimResult[], size: ClaimSize): string {
  const passed = results.filter((r) => r.pass).length;
  const table = markdownTable(
    ['claim', 'result', 'verdict', 'measured', 'threshold', 'time (s)', 'figure'],
    results.map((r) => [r.id, `${r.title} (${r.citation})`, r.pass ? 'PASS' : 'FAIL', r.measured, r.threshold, Number(r.seconds.toFixed(1)), `![claim ${r.id}](claim-${r.id}.png)`]),
  );
  return `# Seed claims${size === 'smoke' ? ' (smoke sizes)' : ''}\n\n${passed} of ${results.length} claims pass.\n\n${table}\n\n` +
    '```\n' + results.map((r) => verdictLine(r)).join('\n') + '\n```\n';
}
