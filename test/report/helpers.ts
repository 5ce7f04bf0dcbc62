import { createCanvas, loadImage } from '@napi-rs/canvas';

export interface Decoded {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  rgba(x: number, y: number): [number, number, number, number];
}

/** Decode a PNG (or SVG, via librsvg) buffer to RGBA pixels. */
export async function decode(buf: Buffer): Promise<Decoded> {
  const img = await loadImage(buf);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  return {
    width: img.width,
    height: img.height,
    data,
    rgba(x, y) {
      const k = 4 * (Math.round(y) * img.width + Math.round(x));
      return [data[k]!, data[k + 1]!, data[k + 2]!, data[k + 3]!];
    },
  };
}

/** Pixels in [x0, x1) × [y0, y1) (device px) whose RGB is within `tol` of `rgb` per channel. */
export function countNear(img: Decoded, rgb: readonly number[], tol: number, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, x1); x++) {
      const k = 4 * (y * img.width + x);
      if (
        img.data[k + 3]! > 200 &&
        Math.abs(img.data[k]! - rgb[0]!) <= tol &&
        Math.abs(img.data[k + 1]! - rgb[1]!) <= tol &&
        Math.abs(img.data[k + 2]! - rgb[2]!) <= tol
      )
        n++;
    }
  }
  return n;
}

/** Pixels that are neither (near-)white nor transparent. */
export function countInk(img: Decoded): number {
  let n = 0;
  for (let k = 0; k < img.data.length; k += 4) {
    const transparent = img.data[k + 3]! < 16;
    const white = img.data[k]! > 245 && img.data[k + 1]! > 245 && img.data[k + 2]! > 245;
    if (!transparent && !white) n++;
  }
  return n;
}
