/**
 * The README.md index of a folder of figures: one line per figure (all its formats and its CSV
 * together) with a caption saying what it shows and from which runs. Every figure writer updates
 * it, so a folder filled by any command explains itself.
 *
 * The index is regenerated from its own lines: an entry is keyed by the figure's base name, so
 * redrawing a figure replaces its line and other commands' lines in the same folder survive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';

export const FIGURE_INDEX_FILE = 'README.md';
/** Used instead when the folder already has a README.md of its own (not an index). */
export const FALLBACK_INDEX_FILE = 'FIGURES.md';
const HEADER = '# Figures in this folder\n\nEach figure has its plotted points beside it as CSV (same base name). Redrawn by the command that wrote it, or by `ibl report` for study folders.\n\n';
const ENTRY = /^- \*\*`([^`]+)`\*\* — /;

export interface FigureIndexEntry {
  /** File name without extension, e.g. 'report'. */
  base: string;
  /** Formats written, e.g. ['png', 'svg']. */
  formats: string[];
  caption: string;
}

export function parseFigureIndex(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = ENTRY.exec(line);
    if (m) entries.set(m[1]!, line);
  }
  return entries;
}

function entryLine(e: FigureIndexEntry): string {
  const files = [...e.formats.map((f) => `[${f}](${e.base}.${f})`), `[csv](${e.base}.csv)`].join(', ');
  return `- **\`${e.base}\`** — ${e.caption.replace(/\s*\n\s*/g, ' ').trim()} (${files})`;
}

/**
 * Add or replace the entry for `figurePath`'s base name. Formats already listed for it are kept
 * when the caption is unchanged (a run writing png then svg lists both).
 */
export function recordFigureInIndex(figurePath: string, caption: string): void {
  const dir = path.dirname(figurePath);
  const ext = path.extname(figurePath).slice(1).toLowerCase();
  const base = path.basename(figurePath, path.extname(figurePath));
  let indexPath = path.join(dir, FIGURE_INDEX_FILE);
  if (fs.existsSync(indexPath) && !fs.readFileSync(indexPath, 'utf8').startsWith(HEADER.split('\n')[0]!)) {
    indexPath = path.join(dir, FALLBACK_INDEX_FILE);
  }
  const existing = fs.existsSync(indexPath) ? parseFigureIndex(fs.readFileSync(indexPath, 'utf8')) : new Map<string, string>();
  const previous = existing.get(base);
  const previousFormats = previous ? [...previous.matchAll(/\[(png|svg|pdf)\]/g)].map((m) => m[1]!) : [];
  const sameCaption = previous?.includes(` — ${caption.replace(/\s*\n\s*/g, ' ').trim()} (`) ?? false;
  const formats = [...new Set([...(sameCaption ? previousFormats : []), ext])].sort((a, b) => ['png', 'svg', 'pdf'].indexOf(a) - ['png', 'svg', 'pdf'].indexOf(b));
  existing.set(base, entryLine({ base, formats, caption }));
  const body = [...existing.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, line]) => line).join('\n');
  writeFileAtomic(indexPath, `${HEADER}${body}\n`);
}
