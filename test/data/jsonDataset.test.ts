import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJsonDataset } from '../../src/data/jsonDataset.ts';
import { matrixToDataset } from '../../src/data/matrix.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('json');
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('loadJsonDataset', () => {
  it('reads a valid file', () => {
    const p = file('ok.json', JSON.stringify({ X: [[1, 2], [3, 4.5]], y: [1, -1] }));
    expect(loadJsonDataset(p)).toEqual({ X: [[1, 2], [3, 4.5]], y: [1, -1] });
  });

  it('names the file and the offending row', () => {
    const ragged = file('ragged.json', '{"X": [[1,2],[3,4],[5]], "y": [0,1,0]}');
    expect(() => loadJsonDataset(ragged)).toThrow(/ragged\.json: ragged rows: X row 2 has 1 values, row 0 has 2/);
    const inf = file('inf.json', '{"X": [[1,2],[3,1e999]], "y": [0,1]}');
    expect(() => loadJsonDataset(inf)).toThrow(/inf\.json: X row 1, column 1 is not a finite number \(got Infinity\)/);
    const nul = file('null.json', '{"X": [[1,null]], "y": [0]}');
    expect(() => loadJsonDataset(nul)).toThrow(/null\.json: X row 0, column 1 is not a finite number \(got null\)/);
    const ylen = file('ylen.json', '{"X": [[1],[2],[3]], "y": [0,1]}');
    expect(() => loadJsonDataset(ylen)).toThrow(/ylen\.json: length mismatch: "X" has 3 rows but "y" has 2 values/);
    const ybad = file('ybad.json', '{"X": [[1],[2]], "y": [0,"a"]}');
    expect(() => loadJsonDataset(ybad)).toThrow(/ybad\.json: y row 1 is not a finite number/);
    const broken = file('broken.json', '{"X": [[1]');
    expect(() => loadJsonDataset(broken)).toThrow(/broken\.json: invalid JSON/);
    expect(() => loadJsonDataset(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read JSON dataset \(ENOENT\)/);
  });
});

describe('matrixToDataset', () => {
  it('maps ±1 labels to classes 0/1 and regression targets to `targets`', () => {
    const c = matrixToDataset({ X: [[1, 2], [3, 4]], y: [-1, 1] }, { name: 'c', task: 'classification' });
    expect(Array.from(c.y)).toEqual([0, 1]);
    expect(c.numClasses).toBe(2);
    expect(c.featureShape).toEqual([2]);
    expect(Array.from(c.x)).toEqual([1, 2, 3, 4]);
    const r = matrixToDataset({ X: [[1], [2]], y: [0.5, -2] }, { name: 'r', task: 'regression' });
    expect(Array.from(r.targets!)).toEqual([0.5, -2]);
    expect(() => matrixToDataset({ X: [[1]], y: [0.5] }, { name: 'bad', task: 'classification' })).toThrow(/bad: y row 0/);
  });
});
