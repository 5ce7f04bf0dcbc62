import { describe, expect, it } from 'vitest';
import { DASH_PATTERNS, OKABE_ITO, POINT_STYLES, seriesStyle, VIRIDIS_STOPS, viridisRgb } from '../../src/report/palette.ts';
import { logTicks, niceTicks } from '../../src/report/ticks.ts';

describe('palette', () => {
  it('is exactly the eight Okabe–Ito colours', () => {
    expect([...OKABE_ITO].map((c) => c.toUpperCase()).sort()).toEqual(
      ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'].sort(),
    );
  });
  it('gives the first eight series distinct colours, dashes and markers', () => {
    const styles = Array.from({ length: 8 }, (_, i) => seriesStyle(i));
    expect(new Set(styles.map((s) => s.color)).size).toBe(8);
    expect(new Set(styles.map((s) => s.dash.join(','))).size).toBe(8);
    expect(new Set(styles.map((s) => s.pointStyle)).size).toBe(8);
    expect(seriesStyle(0).dash).toEqual([]);
    expect(seriesStyle(0, true).dash.length).toBeGreaterThan(0);
    expect(seriesStyle(3, false).dash).toEqual([]);
    expect(DASH_PATTERNS.length).toBe(POINT_STYLES.length);
  });
  it('viridis runs from dark purple to yellow with increasing lightness', () => {
    expect(viridisRgb(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridisRgb(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(viridisRgb(0.5)).toEqual([0x21, 0x91, 0x8c]);
    expect(viridisRgb(-3)).toEqual(viridisRgb(0));
    const luma = (t: number) => {
      const [r, g, b] = viridisRgb(t);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let k = 1; k <= 64; k++) expect(luma(k / 64)).toBeGreaterThan(luma((k - 1) / 64));
    expect(VIRIDIS_STOPS).toHaveLength(33);
    expect(() => viridisRgb(NaN)).toThrow();
  });
});

describe('ticks', () => {
  it('nice linear ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-1.05, 1.05, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });
  it('log ticks at powers of ten', () => {
    expect(logTicks(1e-3, 5)).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logTicks(-1, 5)).toEqual([]);
  });
});
