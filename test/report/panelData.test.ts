import { describe, expect, it } from 'vitest';
import { chooseLinthresh, chooseYScale, preparePanel } from '../../src/report/panelData.ts';
import { symlogInverse, symlogTicks, symlogTransform } from '../../src/report/symlogScale.ts';

describe("yScale: 'auto'", () => {
  it('picks log for positive data spanning more than two decades', () => {
    expect(chooseYScale([1e-6, 1e-3, 0.5, 1])).toBe('log');
  });
  it('picks linear for data within two decades, with non-positive values, or with nothing finite', () => {
    expect(chooseYScale([1, 2, 3])).toBe('linear');
    expect(chooseYScale([1, 100])).toBe('linear'); // exactly two decades: not more
    expect(chooseYScale([0, 1e-6, 1])).toBe('linear');
    expect(chooseYScale([-1, 1e-6, 1])).toBe('linear');
    expect(chooseYScale([NaN, Infinity])).toBe('linear');
    expect(chooseYScale([])).toBe('linear');
  });
  it('ignores NaN/Inf when deciding', () => {
    expect(chooseYScale([1e-6, NaN, 1, Infinity])).toBe('log');
  });
  it('is what preparePanel resolves auto to', () => {
    const base = { title: 't', xLabel: 'step', yLabel: 'loss (nats)', yScale: 'auto' as const };
    expect(preparePanel({ ...base, series: [{ label: 'a', x: [0, 1, 2], y: [1, 1e-3, 1e-6] }] }).yScale).toBe('log');
    expect(preparePanel({ ...base, series: [{ label: 'a', x: [0, 1, 2], y: [1, 2, 3] }] }).yScale).toBe('linear');
  });
});

describe('preparePanel', () => {
  const panel = {
    title: 'p',
    xLabel: 'step',
    yLabel: 'loss (nats)',
    yScale: 'log' as const,
    xScale: 'log' as const,
    series: [
      { label: 'a', x: [0, 1, 2, 3, 4], y: [1, 0.1, -1, NaN, 0.01], yErr: [0.5, 0.5, 0.5, 0.5, 0.001] },
    ],
  };

  it('turns non-finite and non-positive values into gaps and says so', () => {
    const p = preparePanel(panel);
    expect(p.series[0]!.points).toEqual([
      // x = 0 dropped on the log x axis
      { x: 1, y: 0.1 },
      { x: 2, y: null },
      { x: 3, y: null },
      { x: 4, y: 0.01 },
    ]);
    expect(p.counts).toEqual({ nonFinite: 1, nonPositiveY: 1, nonPositiveX: 1 });
    expect(p.notes).toEqual([
      '1 NaN/Inf value shown as gaps',
      '1 value ≤ 0 not shown (log y)',
      '1 point with x ≤ 0 not shown (log x)',
      'error band clipped at 0.009 (log y)',
    ]);
  });

  it('clips a log-axis error band at the smallest positive value instead of dropping it', () => {
    const band = preparePanel(panel).series[0]!.band!;
    expect(band.upper.map((p) => p.y)).toEqual([0.6, null, null, 0.011]);
    // 0.1 − 0.5 < 0 → clipped to the smallest positive plotted value, 0.01 − 0.001.
    expect(band.lower[0]!.y).toBeCloseTo(0.009, 12);
    expect(band.lower[3]!.y).toBeCloseTo(0.009, 12);
  });

  it('keeps reference lines in range and drops those a log axis cannot show', () => {
    const p = preparePanel({
      title: 'p',
      xLabel: 'step',
      yLabel: 'sharpness',
      hLines: [{ y: 40, label: '2/η' }],
      series: [{ label: 'a', x: [0, 1], y: [0, 10] }],
    });
    expect(p.suggestedMax).toBeGreaterThan(40);
    const q = preparePanel({ ...panel, hLines: [{ y: 0, label: 'zero' }] });
    expect(q.hLines).toEqual([]);
    expect(q.notes).toContain('1 reference line not shown');
  });

  it('defaults markers on for short series only', () => {
    const short = preparePanel({ title: 'p', xLabel: 'x', yLabel: 'y', series: [{ label: 'a', x: [1, 2], y: [1, 2] }] });
    const long = preparePanel({
      title: 'p',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ label: 'a', x: Array.from({ length: 100 }, (_, i) => i), y: Array.from({ length: 100 }, (_, i) => i) }],
    });
    expect(short.series[0]!.drawPoints).toBe(true);
    expect(long.series[0]!.drawPoints).toBe(false);
    expect(long.series[0]!.drawLine).toBe(true);
  });
});

describe('symlog', () => {
  it('transform is odd, invertible, ~linear below the threshold and ~log above it', () => {
    for (const v of [-1234, -1, -1e-3, 0, 2e-4, 0.5, 77]) {
      expect(symlogInverse(symlogTransform(v, 0.01), 0.01)).toBeCloseTo(v, 8);
      expect(symlogTransform(-v, 0.01)).toBeCloseTo(-symlogTransform(v, 0.01), 12);
    }
    expect(symlogTransform(1000, 1) - symlogTransform(100, 1)).toBeCloseTo(1, 2);
  });
  it('ticks at 0 and ±C·10^k, and a threshold from the data', () => {
    expect(symlogTicks(-100, 40, 0.01)).toEqual([-100, -10, -1, -0.1, 0, 0.1, 1, 10]);
    expect(chooseLinthresh([-100, 0, 0.03, 5])).toBe(0.01);
    expect(chooseLinthresh([0, 0])).toBe(1);
  });
});

describe('reference lines far outside the data', () => {
  const base = { title: 'sharpness', xLabel: 'step', yLabel: 'λ_max' };
  const lambda = { label: 'λ_max', x: [0, 10, 20, 30], y: [10, 11.5, 12, 11.8] };
  it('a 2/η = 200 line above a λ_max of 10–12 is marked at the top edge and does not stretch the axis', () => {
    const p = preparePanel({ ...base, series: [lambda], hLines: [{ y: 200, label: '2/η = 200' }, { y: 12.5, label: '2/η = 12.5' }] });
    expect(p.hLines.find((h) => h.y === 200)?.offscale).toBe('above');
    expect(p.hLines.find((h) => h.y === 12.5)?.offscale).toBeUndefined();
    expect(p.suggestedMax!).toBeLessThan(13);
  });
  it('a line within 3 data spans is drawn in place; far below is marked below; log axes count decades', () => {
    expect(preparePanel({ ...base, series: [lambda], hLines: [{ y: 13.5, label: 'a' }] }).hLines[0].offscale).toBeUndefined();
    expect(preparePanel({ ...base, series: [lambda], hLines: [{ y: -50, label: 'b' }] }).hLines[0].offscale).toBe('below');
    const logPanel = { ...base, yScale: 'log' as const, series: [{ label: 'l', x: [1, 2, 3], y: [1, 3, 10] }] };
    expect(preparePanel({ ...logPanel, hLines: [{ y: 50, label: 'c' }] }).hLines[0].offscale).toBeUndefined();
    expect(preparePanel({ ...logPanel, hLines: [{ y: 1e5, label: 'd' }] }).hLines[0].offscale).toBe('above');
  });
  it('renders a figure with an off-scale line', async () => {
    const { renderFigure } = await import('../../src/report/figure.ts');
    const png = renderFigure({ panels: [{ ...base, series: [lambda], hLines: [{ y: 200, label: '2/η = 200' }] }] }, 'png');
    expect(png.length).toBeGreaterThan(1000);
  });
});
