import { describe, expect, it } from 'vitest';
import { formatNumber, formatTick } from '../../src/report/format.ts';
import { markdownTable } from '../../src/report/markdownTable.ts';

describe('markdownTable', () => {
  it('formats, escapes, aligns and pads', () => {
    const table = markdownTable(
      ['optimizer', 'lr', 'final loss', 'steps'],
      [
        ['SGD', 0.1, 0.00001234, 1000],
        ['Adam', 0.001, 2.5, 500],
        ['GD | full-batch', 0.05, 123456.7, 20000],
      ],
      { digits: 3 },
    );
    const expected = [
      '| optimizer        |      lr | final loss | steps |',
      '| ---------------- | ------: | ---------: | ----: |',
      '| SGD              |   0.100 |    1.23e-5 |  1000 |',
      '| Adam             | 0.00100 |       2.50 |   500 |',
      '| GD \\| full-batch |  0.0500 |     1.23e5 | 20000 |',
    ].join('\n');
    expect(table).toBe(expected);
  });

  it('handles NaN/Inf, short rows and mixed columns', () => {
    const table = markdownTable(['run', 'loss'], [['a', NaN], ['b', -Infinity], ['c']], { digits: 2 });
    expect(table).toBe(
      ['| run | loss |', '| --- | ---: |', '| a   |  NaN |', '| b   | -Inf |', '| c   |      |'].join('\n'),
    );
    expect(() => markdownTable(['a'], [[1, 2]])).toThrow(/2 cells/);
  });
});

describe('formatNumber / formatTick', () => {
  it('uses significant digits, exponents outside [1e-3, 1e4), full integers', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(3.14159, { digits: 5 })).toBe('3.1416');
    expect(formatNumber(-0.000123)).toBe('-1.23e-4');
    expect(formatNumber(98765.4)).toBe('9.88e4');
    expect(formatNumber(123456)).toBe('123456');
    expect(formatNumber(1e7)).toBe('1.00e7');
    expect(formatNumber(Infinity)).toBe('Inf');
  });
  it('drops trailing zeros on ticks', () => {
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(1e-6)).toBe('1e-6');
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(20000)).toBe('20000');
  });
});
