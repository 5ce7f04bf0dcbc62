/**
 * The figures' typeface, loaded from the `dejavu-fonts-ttf` npm package (DejaVu fonts licence,
 * a free licence derived from Bitstream Vera's) rather than from whatever fonts the system has,
 * so the same figure is drawn on every machine. DejaVu Sans covers the Greek letters and the
 * mathematical symbols (η, λ, θ, ‖, ∇, ±, ², ∞) that axis labels use.
 *
 * The files are registered under a family name of our own, so a system font of the same name
 * can never stand in for them.
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const FIGURE_FONT_FAMILY = 'IBL DejaVu Sans';
const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'];

let registered = false;

/** Register the packaged font files once per process; throws naming a file that fails to load. */
export function registerFigureFonts(): void {
  if (registered) return;
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  for (const file of FILES) {
    const path = join(dir, file);
    if (GlobalFonts.registerFromPath(path, FIGURE_FONT_FAMILY) === null) {
      throw new Error(`figures: cannot load the font file ${path} (reinstall the dejavu-fonts-ttf package)`);
    }
  }
  registered = true;
}
