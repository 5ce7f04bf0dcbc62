/**
 * Figure formats and the words that go with a figure file.
 *
 * The SVG writer outlines text as glyph paths, so an SVG looks the same everywhere but its words
 * are not searchable. We therefore add a <title> and <desc> with the figure's titles and axis
 * labels (useful for screen readers and for grepping a directory of figures). PDF text stays
 * real text (fonts are embedded); the same words fill the PDF info dictionary.
 */
import { extname } from 'node:path';

export type FigureFormat = 'png' | 'svg' | 'pdf';

export interface FigureMetadata {
  title: string;
  description: string;
}

/** '.png' → 'png' etc.; throws on anything else so a typo does not silently write a PNG. */
export function formatFromPath(path: string): FigureFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png' || ext === '.svg' || ext === '.pdf') return ext.slice(1) as FigureFormat;
  throw new Error(`cannot tell figure format from extension '${ext}' of ${path} (use .png, .svg or .pdf)`);
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Insert <title> and <desc> as the first children of the root <svg> element. */
export function addSvgMetadata(svg: string, meta: FigureMetadata): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  if (!open) throw new Error('addSvgMetadata: no <svg> element in canvas output');
  const at = open.index + open[0].length;
  const block = `\n<title>${escapeXml(meta.title)}</title>\n<desc>${escapeXml(meta.description)}</desc>`;
  return svg.slice(0, at) + block + svg.slice(at);
}
