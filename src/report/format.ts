/**
 * Number formatting shared by tables and tick labels.
 *
 * Research numbers span many orders of magnitude (a loss of 3e-7, a step count of 200000), so a
 * fixed number of decimals is useless: we format to a number of *significant* digits and switch
 * to exponent notation outside [1e-3, 1e4), where fixed notation would be mostly zeros.
 */

export interface FormatOptions {
  /** Significant digits for non-integers (default 3). */
  digits?: number;
}

/** Below this magnitude (non-zero) numbers are written in exponent notation. */
export const SMALL = 1e-3;
/** At or above this magnitude non-integers are written in exponent notation. */
export const LARGE = 1e4;
/** Integers are written in full up to this magnitude (step counts, sample counts). */
export const LARGE_INTEGER = 1e6;

/**
 * Format one number.
 *
 * - integers with |v| < 1e6: written in full ("1000", "-3");
 * - 1e-3 ≤ |v| < 1e4: fixed notation with `digits` significant digits, trailing zeros kept
 *   because they carry precision ("0.500", "12.3");
 * - otherwise exponent notation with `digits` significant digits and no '+' ("1.23e-7", "2.50e6");
 * - NaN → "NaN", ±Infinity → "Inf"/"-Inf" (ASCII, so tables stay portable).
 */
export function formatNumber(v: number, opts: FormatOptions = {}): string {
  const digits = Math.max(1, Math.min(21, Math.round(opts.digits ?? 3)));
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < LARGE_INTEGER) return String(v);
  if (a >= SMALL && a < LARGE) {
    const exponent = Math.floor(Math.log10(a));
    const decimals = Math.max(0, digits - 1 - exponent);
    const fixed = v.toFixed(decimals);
    // Rounding can carry into a new decade (9.996 → "10.00"); toFixed is still correct there.
    return fixed;
  }
  return v.toExponential(digits - 1).replace('e+', 'e');
}

/**
 * Format an axis tick: like {@link formatNumber} with 4 significant digits, then trailing zeros
 * dropped ("0.25", "1e-6", "20000"), since on an axis the spacing already shows the precision.
 */
export function formatTick(v: number): string {
  const s = formatNumber(v, { digits: 4 });
  const [mantissa, exponent] = s.split('e');
  const trimmed = mantissa!.includes('.') ? mantissa!.replace(/\.?0+$/, '') : mantissa!;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}
