import { describe, expect, it } from 'vitest';
import { contourLevels, marchingSquares } from '../../src/report/contours.ts';
import {
  HEATMAP_PIXEL_RATIO,
  heatmapColorScale,
  heatmapGeometry,
  renderHeatmap,
  type HeatmapSpec,
} from '../../src/report/heatmap.ts';
import { hexToRgb, viridisRgb } from '../../src/report/palette.ts';
import { MISSING_CELL } from '../../src/report/theme.ts';
import { countInk, decode } from './helpers.ts';

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

function spec(over: Partial<HeatmapSpec> = {}): HeatmapSpec {
  const xs = linspace(-1, 1, 21);
  const ys = linspace(-0.5, 1, 16);
  return {
    title: 'Loss landscape slice',
    xLabel: 'α',
    yLabel: 'β',
    xs,
    ys,
    values: ys.map((y) => xs.map((x) => 0.1 + x * x + 2 * (y - 0.2) ** 2)),
    colorbarLabel: 'loss (nats)',
    ...over,
  };
}

function expectClose(actual: readonly number[], expected: readonly number[], tol: number) {
  for (let k = 0; k < 3; k++) expect(Math.abs(actual[k]! - expected[k]!), `channel ${k}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe('renderHeatmap', () => {
  it('paints each cell with the viridis colour of its value (linear colour)', async () => {
    const s = spec();
    const img = await decode(renderHeatmap(s));
    const geo = heatmapGeometry(s);
    expect(img.width).toBe(geo.width * HEATMAP_PIXEL_RATIO);
    expect(img.height).toBe(geo.height * HEATMAP_PIXEL_RATIO);
    const scale = heatmapColorScale(s);
    const values = s.values as number[][];
    // Minimum (near x=0, y=0.2), maximum (corner) and two arbitrary cells.
    for (const [i, j] of [[7, 10], [0, 0], [15, 20], [3, 14]] as const) {
      const { px, py } = geo.toPixel(s.xs[j]!, s.ys[i]!);
      const pixel = img.rgba(px * HEATMAP_PIXEL_RATIO, py * HEATMAP_PIXEL_RATIO);
      expectClose(pixel, viridisRgb(scale.toT(values[i]![j]!)!), 3);
    }
    // The extremes really are the ends of the map.
    const flat = values.flat();
    expect(scale.toT(Math.min(...flat))).toBe(0);
    expect(scale.toT(Math.max(...flat))).toBe(1);
  });

  it('uses log colour, grey for NaN/Inf/≤0 cells, and survives contours and a marker', async () => {
    const s = spec({ logColor: true, contours: 5, marker: { x: 0, y: 0.2, label: 'θ*' } });
    const values = (s.values as number[][]).map((r) => [...r]);
    values[15]![0] = NaN;
    values[15]![1] = -1;
    values[14]![0] = Infinity;
    s.values = values.flat(); // flat row-major input is accepted too
    const img = await decode(renderHeatmap(s));
    const geo = heatmapGeometry(s);
    const scale = heatmapColorScale(s);
    expect(scale.lo).toBeCloseTo(Math.log10(Math.min(...(s.values as number[]).filter((v) => v > 0))), 12);
    for (const [i, j] of [[15, 0], [15, 1], [14, 0]] as const) {
      const { px, py } = geo.toPixel(s.xs[j]!, s.ys[i]!);
      expectClose(img.rgba(px * 2, py * 2), hexToRgb(MISSING_CELL), 2);
    }
    // A cell far from the marker and (checked) not on a contour line keeps its log colour.
    const [i, j] = [2, 18];
    const { px, py } = geo.toPixel(s.xs[j]!, s.ys[i]!);
    const v = (s.values as number[])[i * s.xs.length + j]!;
    expect(scale.toT(v)).toBeCloseTo((Math.log10(v) - scale.lo) / (scale.hi - scale.lo), 12);
    expectClose(img.rgba(px * 2, py * 2), viridisRgb(scale.toT(v)!), 3);
    // The marker is drawn white at its location.
    const m = geo.toPixel(0, 0.2);
    expectClose(img.rgba(m.px * 2, m.py * 2), [255, 255, 255], 10);
    expect(countInk(img)).toBeGreaterThan(img.width * img.height * 0.4);
  });

  it('writes SVG and PDF too', () => {
    const svg = renderHeatmap(spec(), 'svg').toString('utf8');
    expect(svg).toMatch(/^<\?xml|^<svg/);
    expect(svg).toContain('</svg>');
    expect(svg).toContain('loss (nats)');
    expect(renderHeatmap(spec(), 'pdf').subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('rejects a values array of the wrong size and non-increasing coordinates', () => {
    expect(() => renderHeatmap(spec({ values: [1, 2, 3] }))).toThrow(/expected ys.length × xs.length/);
    expect(() => renderHeatmap(spec({ xs: [0, 0, 1], ys: [0, 1], values: [[1, 2, 3], [4, 5, 6]] }))).toThrow(/strictly increasing/);
  });
});

describe('marching squares', () => {
  it('finds a straight contour of a linear field', () => {
    const segs = marchingSquares([0, 1, 2], [0, 1], [0, 1, 2, 0, 1, 2], 0.5);
    expect(segs).toHaveLength(1);
    const s = segs[0]!;
    expect([s.x1, s.x2]).toEqual([0.5, 0.5]);
    expect([s.y1, s.y2].sort()).toEqual([0, 1]);
  });

  it('traces a circle of x² + y² at the right radius (√0.3), closed around the origin', () => {
    const xs = linspace(-1, 1, 41);
    const ys = linspace(-1, 1, 41);
    const values = ys.flatMap((y) => xs.map((x) => x * x + y * y));
    // 0.3, not 0.25: a level exactly equal to a node value (0.5² at x = 0.5) gives degenerate
    // zero-length segments, harmless when drawing but they would spoil the closure check.
    const segs = marchingSquares(xs, ys, values, 0.3);
    expect(segs.length).toBeGreaterThan(30);
    for (const s of segs) {
      expect(Math.abs(Math.hypot(s.x1, s.y1) - Math.sqrt(0.3))).toBeLessThan(0.01);
      expect(Math.abs(Math.hypot(s.x2, s.y2) - Math.sqrt(0.3))).toBeLessThan(0.01);
    }
    // Closed curve: every endpoint is shared by exactly two segments.
    const key = (x: number, y: number) => `${x.toFixed(9)},${y.toFixed(9)}`;
    const degree = new Map<string, number>();
    for (const s of segs) for (const k of [key(s.x1, s.y1), key(s.x2, s.y2)]) degree.set(k, (degree.get(k) ?? 0) + 1);
    expect([...degree.values()].every((d) => d === 2)).toBe(true);
  });

  it('skips squares with non-finite corners, and spaces levels strictly inside the range', () => {
    expect(marchingSquares([0, 1], [0, 1], [0, NaN, 1, 1], 0.5)).toEqual([]);
    expect(contourLevels(0, 1, 3)).toEqual([0.25, 0.5, 0.75]);
    expect(contourLevels(1, 1, 3)).toEqual([]);
  });
});
