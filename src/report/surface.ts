/**
 * One drawing surface per figure file, on @napi-rs/canvas (Skia): its prebuilt binary ships
 * inside an npm package, so figures need no compiler and no system library (node-canvas needs
 * cairo and pango development packages when its download of a prebuilt binary fails).
 *
 * - PNG: a raster canvas at `pixelRatio`× with the context pre-scaled, encoded by Skia.
 * - SVG: Skia's SVG canvas with text converted to glyph paths (the file looks the same without
 *   the font); a <title>/<desc> with the figure's words keeps it searchable.
 * - PDF: one page of a Skia PDF document (vector, fonts embedded, info dictionary filled). A
 *   page context has no `.canvas`, which Chart.js reads; `subRegionContext` supplies one.
 *
 * Fonts come from the npm package (see fonts.ts), so the same figure is drawn on every machine.
 */
import { createCanvas, PDFDocument, SvgExportFlag, type SKRSContext2D } from '@napi-rs/canvas';

/** The page context of a PDF document has fewer members than a canvas's; figures use only these. */
type PdfPageContext = ReturnType<PDFDocument['beginPage']>;
import { registerFigureFonts } from './fonts.ts';
import { addSvgMetadata, type FigureFormat, type FigureMetadata } from './output.ts';

export type DrawingContext = PdfPageContext;
export type { SKRSContext2D };

export interface Surface {
  /** Draw in CSS px at 1×: the PNG pixel ratio is already applied as the base transform. */
  ctx: DrawingContext;
  /** Device pixels per CSS px (the PNG ratio; 1 for SVG and PDF). */
  pixelRatio: number;
  /** Encode what was drawn; the surface must not be used afterwards. */
  finish(): Buffer;
}

/**
 * @param width,height in CSS px at 1× (SVG and PDF: one unit per px / pt)
 * @param meta the figure's words: SVG <title>/<desc>, PDF info dictionary
 */
export function createSurface(
  width: number,
  height: number,
  format: FigureFormat,
  pngPixelRatio: number,
  meta: FigureMetadata,
): Surface {
  registerFigureFonts();
  switch (format) {
    case 'png': {
      const canvas = createCanvas(Math.round(width * pngPixelRatio), Math.round(height * pngPixelRatio));
      const ctx = canvas.getContext('2d');
      ctx.setTransform(pngPixelRatio, 0, 0, pngPixelRatio, 0, 0);
      return { ctx, pixelRatio: pngPixelRatio, finish: () => canvas.toBuffer('image/png') };
    }
    case 'svg': {
      const canvas = createCanvas(width, height, SvgExportFlag.ConvertTextToPaths);
      return {
        ctx: canvas.getContext('2d'),
        pixelRatio: 1,
        finish: () => Buffer.from(addSvgMetadata(canvas.getContent().toString('utf8'), meta), 'utf8'),
      };
    }
    case 'pdf': {
      const doc = new PDFDocument({ title: meta.title, subject: meta.description, creator: 'implicit-bias-lab' });
      const ctx = doc.beginPage(width, height);
      return {
        ctx,
        pixelRatio: 1,
        finish: () => {
          doc.endPage();
          return doc.close();
        },
      };
    }
  }
}
