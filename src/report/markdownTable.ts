/**
 * GitHub-flavoured Markdown tables for run summaries (READMEs, reports, PR comments).
 *
 * Numbers go through {@link formatNumber} (significant digits, exponent notation for very small
 * or large magnitudes) and numeric columns are right-aligned so that magnitudes line up. Cells
 * are padded so the raw Markdown is readable too, which matters in diffs and terminals.
 */
import { formatNumber } from './format.ts';

export interface MarkdownTableOptions {
  /** Significant digits for non-integer numbers (default 3). */
  digits?: number;
}

/** Escape what would break a table cell: pipes, and newlines (which would end the row). */
function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(
  headers: string[],
  rows: (string | number)[][],
  opts: MarkdownTableOptions = {},
): string {
  if (headers.length === 0) throw new Error('markdownTable: at least one column is needed');
  rows.forEach((r, i) => {
    if (r.length > headers.length)
      throw new Error(`markdownTable: row ${i} has ${r.length} cells but there are ${headers.length} headers`);
  });
  const cells = rows.map((r) =>
    headers.map((_, c) => {
      const v = r[c];
      if (v === undefined) return '';
      return escapeCell(typeof v === 'number' ? formatNumber(v, { digits: opts.digits }) : v);
    }),
  );
  // Right-align a column when it has at least one number and no non-empty strings.
  const numeric = headers.map(
    (_, c) =>
      rows.some((r) => typeof r[c] === 'number') &&
      rows.every((r) => r[c] === undefined || typeof r[c] === 'number' || r[c] === ''),
  );
  const head = headers.map(escapeCell);
  // Width 3 at least: the delimiter row needs '---'.
  const widths = head.map((h, c) => Math.max(3, h.length, ...cells.map((r) => r[c]!.length)));
  const pad = (s: string, c: number) => (numeric[c] ? s.padStart(widths[c]!) : s.padEnd(widths[c]!));
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const delimiter = `| ${widths.map((w, c) => (numeric[c] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), delimiter, ...cells.map(line)].join('\n');
}
