/**
 * A symmetric-log axis for Chart.js ('symlog', as in matplotlib), which Chart.js lacks.
 *
 * For quantities that change sign and span decades — e.g. the smallest Hessian eigenvalue, or a
 * signed margin — a log axis cannot show the negative part and a linear one flattens everything
 * near zero. The transform t(v) = sign(v) · log10(1 + |v| / C) is linear for |v| ≪ C and
 * logarithmic for |v| ≫ C. C ("linthresh") is passed as the scale option `linthresh`.
 */
import { LinearScale } from 'chart.js';

export function symlogTransform(v: number, c: number): number {
  return Math.sign(v) * Math.log10(1 + Math.abs(v) / c);
}

export function symlogInverse(t: number, c: number): number {
  return Math.sign(t) * c * (10 ** Math.abs(t) - 1);
}

/**
 * Ticks at 0 and ±C·10^k (k ≥ 1) inside [min, max], thinned to at most ~9 so labels do not
 * collide. ±C itself is skipped: it sits only 0.3 transformed units from 0, too close to label.
 */
export function symlogTicks(min: number, max: number, c: number): number[] {
  const out: number[] = [];
  const maxAbs = Math.max(Math.abs(min), Math.abs(max));
  const decades: number[] = [];
  for (let k = 1; c * 10 ** k <= maxAbs * (1 + 1e-9); k++) decades.push(Number((c * 10 ** k).toPrecision(12)));
  if (decades.length === 0 && c <= maxAbs) decades.push(c);
  const stride = Math.max(1, Math.ceil((2 * decades.length + 1) / 9));
  const kept = decades.filter((_, i) => (decades.length - 1 - i) % stride === 0);
  for (const d of [...kept].reverse()) if (-d >= min) out.push(-d);
  if (min <= 0 && max >= 0) out.push(0);
  for (const d of kept) if (d <= max) out.push(d);
  return out;
}

export class SymlogScale extends LinearScale {
  static override id = 'symlog';
  static override defaults = {};

  /** Transformed start of the axis and its transformed length. */
  private t0 = 0;
  private tRange = 1;

  private linthresh(): number {
    const c = (this.options as unknown as { linthresh?: number }).linthresh;
    return typeof c === 'number' && c > 0 && Number.isFinite(c) ? c : 1;
  }

  override buildTicks(): { value: number }[] {
    const c = this.linthresh();
    const ticks = symlogTicks(this.min, this.max, c).map((value) => ({ value }));
    // LinearScaleBase keeps these (undeclared in the typings) for reversed axes; mirror it.
    Object.assign(this, { start: this.min, end: this.max });
    return ticks;
  }

  override configure(): void {
    super.configure();
    const c = this.linthresh();
    this.t0 = symlogTransform(this.min, c);
    this.tRange = symlogTransform(this.max, c) - this.t0 || 1;
  }

  override getPixelForValue(value: number): number {
    if (value === null || value === undefined || Number.isNaN(value)) return NaN;
    return this.getPixelForDecimal((symlogTransform(value, this.linthresh()) - this.t0) / this.tRange);
  }

  override getValueForPixel(pixel: number): number {
    return symlogInverse(this.t0 + this.getDecimalForPixel(pixel) * this.tRange, this.linthresh());
  }
}
