import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureLayout, renderFigure, saveFigure, type Figure } from '../../src/report/figure.ts';
import { LEGEND_ROW_HEIGHT, legendRowCount } from '../../src/report/legendLayout.ts';
import { hexToRgb, OKABE_ITO } from '../../src/report/palette.ts';
import { countInk, countNear, decode } from './helpers.ts';

const steps = Array.from({ length: 101 }, (_, i) => i * 10);
const BLUE = hexToRgb(OKABE_ITO[0]!);
const VERMILLION = hexToRgb(OKABE_ITO[1]!);

function fourPanels(): Figure {
  return {
    title: 'Four panels',
    panelWidth: 400,
    panelHeight: 300,
    panels: [
      {
        title: 'Loss (log, with zeros)',
        xLabel: 'step',
        yLabel: 'loss (nats)',
        yScale: 'log',
        series: [
          { label: 'GD', x: steps, y: steps.map((s) => (s === 0 ? 0 : Math.exp(-s / 150))) },
          { label: 'SGD', x: steps, y: steps.map((s) => (s > 800 ? -1 : 2 * Math.exp(-s / 300))) },
        ],
      },
      {
        title: 'Diverged run',
        xLabel: 'step',
        yLabel: 'loss (nats)',
        series: [
          // Finite only for step < 500: the right half of the plot must have no blue ink.
          { label: 'η = 1', x: steps, y: steps.map((s) => (s < 500 ? 1 + Math.sin(s / 40) : s === 600 ? Infinity : NaN)) },
          { label: 'η = 0.1', x: steps, y: steps.map((s) => 1 + 0.5 * Math.cos(s / 90)) },
        ],
      },
      {
        title: 'Error band',
        xLabel: 'step',
        yLabel: 'accuracy',
        series: [
          {
            label: 'mean ± std over seeds',
            x: steps,
            y: steps.map((s) => 0.5 + 0.4 * (1 - Math.exp(-s / 200))),
            yErr: steps.map(() => 0.08),
          },
        ],
      },
      {
        title: 'Sharpness',
        xLabel: 'step',
        yLabel: 'λ_max',
        hLines: [{ y: 20, label: '2/η' }],
        series: [{ label: 'λ_max', x: steps, y: steps.map((s) => 20 * (1 - Math.exp(-s / 200))) }],
      },
    ],
  };
}

describe('renderFigure (PNG)', () => {
  it('renders a 2×2 grid at 2× pixel ratio with white background and visible series', async () => {
    const fig = fourPanels();
    const png = renderFigure(fig, 'png');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const img = await decode(png);
    // 2 columns × 400 px, 2 rows × 300 px + 36 px title band, all at 2×.
    expect(img.width).toBe(2 * 400 * 2);
    expect(img.height).toBe((36 + 2 * 300) * 2);
    expect(figureLayout(fig)).toMatchObject({ width: 800, height: 636, columns: 2, rows: 2 });

    // Opaque white background, not transparent.
    expect(img.rgba(1, 1)).toEqual([255, 255, 255, 255]);
    const ink = countInk(img);
    expect(ink / (img.width * img.height)).toBeGreaterThan(0.02);

    const layout = figureLayout(fig);
    const region = (i: number) => {
      const r = layout.panels[i]!;
      return [r.x * 2, r.y * 2, (r.x + r.width) * 2, (r.y + r.height) * 2] as const;
    };
    // Series 1 of panel 0 is drawn in the first palette colour; series 2 in the second.
    expect(countNear(img, BLUE, 12, ...region(0))).toBeGreaterThan(300);
    expect(countNear(img, VERMILLION, 12, ...region(0))).toBeGreaterThan(300);
    // …and no blue at all in the (empty) bottom-right corner of the whole figure's margin.
    expect(countNear(img, BLUE, 12, img.width - 20, img.height - 20, img.width, img.height)).toBe(0);

    // Panel 1: the blue series is NaN/Inf from step 500 on → a gap, not a line, on the right.
    const [px0, py0, px1, py1] = region(1);
    const w = px1 - px0;
    const h = py1 - py0;
    const leftBlue = countNear(img, BLUE, 12, px0 + 0.15 * w, py0 + 0.35 * h, px0 + 0.45 * w, py0 + 0.85 * h);
    const rightBlue = countNear(img, BLUE, 12, px0 + 0.7 * w, py0 + 0.35 * h, px0 + 0.97 * w, py0 + 0.85 * h);
    const rightRed = countNear(img, VERMILLION, 12, px0 + 0.7 * w, py0 + 0.35 * h, px0 + 0.97 * w, py0 + 0.85 * h);
    expect(leftBlue).toBeGreaterThan(200);
    expect(rightBlue).toBe(0);
    expect(rightRed).toBeGreaterThan(100);

    // Panel 2: the error band is a translucent fill of the first colour (22 % over white).
    const band = [0, 1, 2].map((k) => Math.round(255 + 0.22 * (BLUE[k]! - 255)));
    const inBandPanel = countNear(img, band, 6, ...region(2));
    expect(inBandPanel).toBeGreaterThan(2000);
    // Elsewhere that shade occurs only in anti-aliased line edges: far fewer pixels.
    expect(countNear(img, band, 6, ...region(0))).toBeLessThan(inBandPanel / 10);
    if (process.env.IBL_KEEP_TEST_FIGURES) fs.writeFileSync(path.join(process.env.IBL_KEEP_TEST_FIGURES, 'four-panels.png'), png);
  });

  it('survives series that are entirely NaN, entirely ≤ 0 on a log axis, or empty', async () => {
    const png = renderFigure({
      panels: [
        {
          title: 'nothing plottable',
          xLabel: 'step',
          yLabel: 'loss (nats)',
          yScale: 'log',
          xScale: 'log',
          hLines: [{ y: -1, label: 'impossible on log' }],
          series: [
            { label: 'all NaN', x: [1, 2, 3], y: [NaN, NaN, NaN], yErr: [1, 1, 1] },
            { label: 'all ≤ 0', x: [0, 1, 2], y: [0, -1, -2] },
            { label: 'empty', x: [], y: [] },
          ],
        },
      ],
    });
    const img = await decode(png);
    expect(img.width).toBe(480 * 2);
    expect(countInk(img)).toBeGreaterThan(1000);
  });

  it('grows panels for legends of more than one row instead of squeezing the plot', () => {
    const x = [1, 2, 3];
    const panel = (labels: string[]) => ({
      title: 't',
      xLabel: 'epoch',
      yLabel: 'error (%)',
      series: labels.map((label) => ({ label, x, y: x })),
    });
    const short = figureLayout({ panelWidth: 360, panelHeight: 300, panels: [panel(['a', 'b'])] });
    expect(short.height).toBe(300);
    const long = Array.from({ length: 8 }, (_, k) => `optimiser #${k} (lr=0.0${k}0)`);
    expect(legendRowCount(long, 340)).toBe(8); // each label is too wide to share a row
    const tall = figureLayout({ panelWidth: 360, panelHeight: 300, panels: [panel(long), panel(['a'])], columns: 2 });
    expect(tall.height).toBe(300 + 7 * LEGEND_ROW_HEIGHT);
    expect(tall.panels.map((p) => p.height)).toEqual([tall.height, tall.height]); // grid stays uniform
  });

  it('rejects series whose x and y lengths differ', () => {
    expect(() =>
      renderFigure({ panels: [{ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', x: [1, 2], y: [1] }] }] }),
    ).toThrow(/x has 2 values, y has 1/);
  });
});

describe('renderFigure (vector)', () => {
  const fig: Figure = {
    title: 'Vector <output> & friends',
    panels: fourPanels().panels.slice(0, 2),
  };

  it('SVG is XML with the axis labels, and renders (librsvg parses it)', async () => {
    const svg = renderFigure(fig, 'svg').toString('utf8');
    expect(svg.startsWith('<?xml') || svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of ['step', 'loss (nats)', 'Diverged run', 'η = 0.1']) expect(svg).toContain(label);
    // Special characters in labels are escaped, so the document stays well-formed.
    expect(svg).toContain('Vector &lt;output&gt; &amp; friends');
    const img = await decode(Buffer.from(svg));
    expect(img.width).toBeGreaterThan(500);
    expect(countInk(img)).toBeGreaterThan(5000);
    // Both panels are present in one document: blue ink in the left and in the right half.
    expect(countNear(img, BLUE, 16, 0, 0, img.width / 2, img.height)).toBeGreaterThan(100);
    expect(countNear(img, BLUE, 16, img.width / 2, 0, img.width, img.height)).toBeGreaterThan(100);
  });

  it('PDF starts with %PDF and is a complete document', () => {
    const pdf = renderFigure(fig, 'pdf');
    expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
    expect(pdf.length).toBeGreaterThan(5000);
  });
});

describe('saveFigure', () => {
  it('picks the format from the extension and leaves no temporary file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-report-'));
    try {
      const fig: Figure = { panels: [fourPanels().panels[3]!] };
      for (const [ext, magic] of [['png', '\x89PNG'], ['svg', '<?xml'], ['pdf', '%PDF']] as const) {
        const file = path.join(dir, `fig.${ext}`);
        saveFigure(fig, file, { caption: 'a test figure' });
        expect(fs.readFileSync(file).subarray(0, magic.length).toString('latin1')).toBe(magic);
      }
      expect(fs.readdirSync(dir).sort()).toEqual(['README.md', 'fig.csv', 'fig.pdf', 'fig.png', 'fig.svg']);
      expect(() => saveFigure(fig, path.join(dir, 'fig.jpg'), { caption: 'x' })).toThrow(/extension/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
