/**
 * Progress for long work: a live bar on a terminal, plain periodic lines otherwise (CI logs).
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  start(total: number, startValue: number, label: string): void;
  update(value: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export function silentProgress(): ProgressReporter {
  return { start() {}, update() {}, stop() {} };
}

/** Plain lines at every `percentStep` percent (and the last step). */
export function lineProgress(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), percentStep = 10): ProgressReporter {
  let total = 0;
  let label = '';
  let nextPercent = 0;
  const started = Date.now();
  return {
    start(t, startValue, l) {
      total = t;
      label = l;
      nextPercent = Math.floor((100 * startValue) / t / percentStep) * percentStep + percentStep;
      write(`${label}: starting at ${startValue}/${total}`);
    },
    update(value, fields = {}) {
      const percent = (100 * value) / total;
      if (percent + 1e-9 < nextPercent && value !== total) return;
      nextPercent = Math.floor(percent / percentStep) * percentStep + percentStep;
      const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' ? v.toPrecision(4) : v}`).join(' ');
      write(`${label}: ${value}/${total} (${percent.toFixed(0)}%) ${extra} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
    },
    stop() {},
  };
}

export function barProgress(): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    format: '{label} [{bar}] {percentage}% | {value}/{total} | loss {loss} | eta {eta_formatted}',
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  return {
    start: (total, startValue, label) => bar.start(total, startValue, { label, loss: '-' }),
    update: (value, fields = {}) => bar.update(value, Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'number' ? v.toPrecision(4) : v]))),
    stop: () => bar.stop(),
  };
}

/** A bar on a TTY, plain lines when output is redirected or CI is set. */
export function defaultProgress(): ProgressReporter {
  return process.stderr.isTTY && !process.env.CI ? barProgress() : lineProgress();
}
