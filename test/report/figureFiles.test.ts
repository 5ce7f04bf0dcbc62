/**
 * What a figure leaves on disk: a valid, non-blank PNG/SVG/PDF drawn without any system graphics
 * library, the plotted points as CSV beside it, and a captioned line in the folder's README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { renderFigure, saveFigure, type Figure } from '../../src/report/figure.ts';
import { saveHeatmap } from '../../src/report/heatmap.ts';
import { FIGURE_CSV_COLUMNS } from '../../src/report/figureData.ts';
import { decode } from './helpers.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-figfiles-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Two panels; one with a log axis that must drop a zero and a gap for NaN, one with a band and a reference line. */
function sample(): Figure {
  return {
    title: 'Sample figure',
    panels: [
      {
        title: 'Loss',
        xLabel: 'step (parameter updates)',
        yLabel: 'loss (nats)',
        yScale: 'log',
        series: [
          { label: 'train', x: [0, 10, 20, 30, 40], y: [2.3, 0.5, Number.NaN, 0.05, 0] },
          { label: 'test, "held out"', x: [0, 20, 40], y: [2.3, 0.7, 0.6] },
        ],
      },
      {
        title: 'Sharpness',
        xLabel: 'step (parameter updates)',
        yLabel: 'λ_max',
        series: [{ label: 'λ_max', x: [0, 20, 40], y: [1, 4, 9.5], yErr: [0.1, 0.2, 0.3] }],
        hLines: [{ y: 10, label: '2/η' }],
      },
    ],
  };
}

/** Minimal RFC 4180 reader (quoted fields with doubled quotes and commas), independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** A PDF info-dictionary string: literal `(…)` or UTF-16BE hex `<FEFF…>`. */
function pdfInfoString(pdf: string, key: string): string {
  const hex = new RegExp(`/${key}\\s*<FEFF([0-9A-Fa-f]*)>`).exec(pdf);
  if (hex) {
    const bytes = Buffer.from(hex[1]!, 'hex');
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  }
  const literal = new RegExp(`/${key}\\s*\\(((?:\\\\.|[^\\\\)])*)\\)`).exec(pdf);
  return literal ? literal[1]!.replace(/\\(.)/g, '$1') : '';
}

describe('figure files', () => {
  it('PNG: valid signature and IHDR size, more than one colour, drawn at 2×', async () => {
    const png = renderFigure(sample(), 'png');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(2 * 2 * 480);
    const img = await decode(png);
    expect([img.width, img.height]).toEqual([width, height]);
    const colours = new Set<number>();
    for (let k = 0; k < img.data.length && colours.size < 50; k += 4 * 97) colours.add((img.data[k]! << 16) | (img.data[k + 1]! << 8) | img.data[k + 2]!);
    expect(colours.size).toBeGreaterThan(5);
  });

  it('SVG: an <svg> root with the figure size, axis labels in <desc>, glyph paths for the text', () => {
    const svg = renderFigure(sample(), 'svg').toString('utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    const rootTag = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
    expect(rootTag).toMatch(/width="960"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('step (parameter updates)');
    expect(svg).toContain('loss (nats)');
    // Text is outlined: many <path> elements, no <text>.
    expect((svg.match(/<path\b/g) ?? []).length).toBeGreaterThan(100);
    expect(svg).not.toMatch(/<text\b/);
  });

  it('PDF: header, one page, embedded TrueType font, text operators, labels in the info dictionary', () => {
    const pdf = renderFigure(sample(), 'pdf');
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect((text.match(/\/Type\s*\/Page\b/g) ?? []).length).toBe(1);
    expect(text).toMatch(/\/FontFile2/);
    expect(text).toMatch(/DejaVu/);
    expect(pdfInfoString(text, 'Subject')).toContain('x: step (parameter updates). y: loss (nats)');
    // Inflate the content streams: glyphs are shown with text operators (Tj/TJ).
    let shown = 0;
    for (const m of text.matchAll(/stream\r?\n/g)) {
      const start = m.index! + m[0].length;
      const end = text.indexOf('endstream', start);
      try {
        const body = inflateSync(pdf.subarray(start, end)).toString('latin1');
        shown += (body.match(/\bT[jJ]\b/g) ?? []).length;
      } catch {
        /* not a Flate stream (e.g. the font program) */
      }
    }
    expect(shown).toBeGreaterThan(10);
  });

  it('CSV beside the figure holds exactly the plotted points, and the README index has the caption', () => {
    const dir = tempDir();
    const fig = sample();
    saveFigure(fig, path.join(dir, 'curves.png'), { caption: 'Loss and sharpness of a made-up run.' });
    saveFigure(fig, path.join(dir, 'curves.svg'), { caption: 'Loss and sharpness of a made-up run.' });
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'curves.csv'), 'utf8'));
    expect(rows[0]).toEqual([...FIGURE_CSV_COLUMNS]);
    const body = rows.slice(1).map((r) => Object.fromEntries(FIGURE_CSV_COLUMNS.map((c, i) => [c, r[i]!])));
    // Drawn: train has 3 points (NaN is a gap, 0 is not on a log axis), test 3, λ_max 3, one reference line.
    const of = (panel: string, series: string) => body.filter((r) => r.panel === panel && r.series === series && r.kind === 'point');
    expect(of('Loss', 'train').map((r) => [Number(r.x), Number(r.y)])).toEqual([[0, 2.3], [10, 0.5], [30, 0.05]]);
    expect(of('Loss', 'test, "held out"').map((r) => [Number(r.x), Number(r.y)])).toEqual([[0, 2.3], [20, 0.7], [40, 0.6]]);
    const lambda = of('Sharpness', 'λ_max');
    expect(lambda.map((r) => Number(r.y))).toEqual([1, 4, 9.5]);
    lambda.forEach((r, i) => {
      expect(Number(r.y_lower)).toBeCloseTo([0.9, 3.8, 9.2][i]!, 12);
      expect(Number(r.y_upper)).toBeCloseTo([1.1, 4.2, 9.8][i]!, 12);
      expect(r.x_axis).toBe('step (parameter updates)');
      expect(r.y_axis).toBe('λ_max');
    });
    expect(body.filter((r) => r.kind === 'reference')).toEqual([
      { panel: 'Sharpness', series: '2/η', kind: 'reference', x_axis: 'step (parameter updates)', y_axis: 'λ_max', x: '', y: '10', y_lower: '', y_upper: '' },
    ]);
    expect(body).toHaveLength(3 + 3 + 3 + 1);

    const index = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    const lines = index.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toEqual(['- **`curves`** — Loss and sharpness of a made-up run. ([png](curves.png), [svg](curves.svg), [csv](curves.csv))']);
  });

  it('heatmap CSV has one row per cell; a second figure adds its own index line; an existing README is not overwritten', () => {
    const dir = tempDir();
    saveHeatmap({ title: 'H', xLabel: 'α', yLabel: 'β', xs: [0, 1], ys: [0, 1, 2], values: [[1, 2], [3, Number.NaN], [5, 6]], colorbarLabel: 'loss' }, path.join(dir, 'heat.png'), { caption: 'A heatmap.' });
    saveFigure(sample(), path.join(dir, 'curves.pdf'), { caption: 'Curves.' });
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'heat.csv'), 'utf8'));
    expect(rows.slice(1).map((r) => r.slice(3).map((v) => (v === '' ? null : Number(v))))).toEqual([
      [0, 0, 1], [1, 0, 2], [0, 1, 3], [1, 1, null], [0, 2, 5], [1, 2, 6],
    ]);
    const lines = fs.readFileSync(path.join(dir, 'README.md'), 'utf8').split('\n').filter((l) => l.startsWith('- '));
    expect(lines.map((l) => l.slice(0, 14))).toEqual(['- **`curves`**', '- **`heat`** —']);

    const own = tempDir();
    fs.writeFileSync(path.join(own, 'README.md'), '# my notes\n');
    saveFigure(sample(), path.join(own, 'f.png'), { caption: 'F.' });
    expect(fs.readFileSync(path.join(own, 'README.md'), 'utf8')).toBe('# my notes\n');
    expect(fs.readFileSync(path.join(own, 'FIGURES.md'), 'utf8')).toContain('`f`');
  });

  it('a figure that cannot be written names the file and leaves no temporary file behind', () => {
    // The image's final rename fails (its name is taken by a folder) after the bytes were written
    // to a temporary file: the error names the figure and the temporary file is gone. Works as
    // root too, unlike a read-only folder.
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'fig.png'));
    expect(() => saveFigure(sample(), path.join(dir, 'fig.png'), { caption: 'x' })).toThrow(new RegExp(`cannot write ${dir}/fig\\.png`));
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(false);
  });
  it('a caption is required', () => {
    expect(() => saveFigure(sample(), path.join(tempDir(), 'f.png'), { caption: ' ' })).toThrow(/caption/);
  });
});

describe('no system graphics library', () => {
  it('npm ls finds no node-canvas, and the canvas binary loaded is the one shipped in an npm package', () => {
    const ls = spawnSync('npm', ['ls', 'canvas', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
    expect(ls.stdout.trim()).toBe('');
    // Render in this process, then look at what it mapped: the Skia addon from node_modules, no cairo/pango.
    renderFigure(sample(), 'png');
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    const addon = maps.split('\n').map((l) => l.split(/\s+/)[5] ?? '').find((p) => /skia\..*\.node$/.test(p));
    expect(addon, 'the @napi-rs/canvas addon is mapped').toBeDefined();
    // The node_modules folder that @napi-rs/canvas resolves from (a symlink in a mutation-testing
    // sandbox, hence realpath) holds the loaded addon: it came from an npm package, not the system.
    const pkg = createRequire(import.meta.url).resolve('@napi-rs/canvas/package.json');
    const nodeModules = fs.realpathSync(path.dirname(path.dirname(path.dirname(pkg))));
    expect(path.basename(nodeModules)).toBe('node_modules');
    expect(path.relative(nodeModules, fs.realpathSync(addon!))).not.toMatch(/^\.\./);
    expect(maps).not.toMatch(/libcairo|libpango|librsvg/);
  });
});
