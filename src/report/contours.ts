/**
 * Contour lines by marching squares (Lorensen & Cline's 2-D analogue of marching cubes).
 *
 * Input is a grid of values at nodes (xs[j], ys[i]), row-major with rows along y. Each grid
 * square is classified by which corners lie above the level; the level crosses the square's
 * edges where linear interpolation between corner values equals it. The two saddle cases are
 * disambiguated by the average of the four corners. Squares with a non-finite corner (a
 * diverged evaluation) are skipped, leaving a hole rather than a made-up line.
 *
 * Why not d3-contour: it returns filled bands (closed MultiPolygons) that close along the grid's
 * border, so stroking them as level lines would also trace the frame, and it has no notion of a
 * missing (NaN) value — both would need post-processing longer than this file.
 */

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** `count` levels evenly spaced strictly inside (min, max): min + k·(max − min)/(count + 1). */
export function contourLevels(min: number, max: number, count: number): number[] {
  if (!(count > 0) || !Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [];
  return Array.from({ length: Math.floor(count) }, (_, k) => min + ((k + 1) * (max - min)) / (Math.floor(count) + 1));
}

/**
 * Segments of the `level` contour, in data coordinates.
 * @param values row-major, values[i * xs.length + j] at (xs[j], ys[i])
 */
export function marchingSquares(xs: number[], ys: number[], values: ArrayLike<number>, level: number): Segment[] {
  const nx = xs.length;
  const ny = ys.length;
  const out: Segment[] = [];
  const v = (i: number, j: number) => values[i * nx + j]!;
  for (let i = 0; i + 1 < ny; i++) {
    for (let j = 0; j + 1 < nx; j++) {
      // Corners counter-clockwise from bottom-left: (i,j) (i,j+1) (i+1,j+1) (i+1,j).
      const a = v(i, j);
      const b = v(i, j + 1);
      const c = v(i + 1, j + 1);
      const d = v(i + 1, j);
      if (![a, b, c, d].every(Number.isFinite)) continue;
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const x0 = xs[j]!;
      const x1 = xs[j + 1]!;
      const y0 = ys[i]!;
      const y1 = ys[i + 1]!;
      const f = (p: number, q: number) => (level - p) / (q - p);
      // Crossing points on the four edges (only evaluated where the level does cross).
      const bottom = () => [x0 + f(a, b) * (x1 - x0), y0] as const;
      const right = () => [x1, y0 + f(b, c) * (y1 - y0)] as const;
      const top = () => [x0 + f(d, c) * (x1 - x0), y1] as const;
      const left = () => [x0, y0 + f(a, d) * (y1 - y0)] as const;
      const seg = (p: readonly [number, number], q: readonly [number, number]) =>
        out.push({ x1: p[0], y1: p[1], x2: q[0], y2: q[1] });
      const centreAbove = (a + b + c + d) / 4 > level;
      switch (code) {
        case 1: case 14: seg(left(), bottom()); break;
        case 2: case 13: seg(bottom(), right()); break;
        case 3: case 12: seg(left(), right()); break;
        case 4: case 11: seg(right(), top()); break;
        case 6: case 9: seg(bottom(), top()); break;
        case 7: case 8: seg(left(), top()); break;
        case 5: // a and c above
          if (centreAbove) { seg(left(), top()); seg(bottom(), right()); }
          else { seg(left(), bottom()); seg(right(), top()); }
          break;
        case 10: // b and d above
          if (centreAbove) { seg(left(), bottom()); seg(right(), top()); }
          else { seg(left(), top()); seg(bottom(), right()); }
          break;
      }
    }
  }
  return out;
}
