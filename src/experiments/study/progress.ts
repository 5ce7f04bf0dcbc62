/**
 * Study progress, the same for every executor: one line per finished point with the counts
 * done / running / failed / remaining and an ETA from the finished points' times (mean time per
 * point × points left ÷ points at once). Plain lines, so they read the same in a terminal, a CI
 * log and a Slurm output file.
 */
export interface StudyProgress {
  started(label: string): void;
  finished(label: string, status: string, seconds: number, detail?: string): void;
  /** A point found finished on disk (does not count towards the ETA). */
  skipped(count: number): void;
  counts(): { done: number; running: number; failed: number; remaining: number };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function studyProgress(total: number, parallel: number, write: (line: string) => void): StudyProgress {
  let done = 0;
  let failed = 0;
  let running = 0;
  const times: number[] = [];
  const counts = () => ({ done, running, failed, remaining: total - done - failed - running });
  const status = () => {
    const c = counts();
    const left = c.remaining + c.running;
    const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : Number.NaN;
    const eta = left === 0 ? '' : times.length ? `, ETA ${formatDuration((mean * left) / Math.max(1, Math.min(parallel, left)))}` : ', ETA after the first point';
    return `${c.done} done, ${c.running} running, ${c.failed} failed, ${c.remaining} remaining${eta}`;
  };
  return {
    started() { running++; },
    finished(label, pointStatus, seconds, detail) {
      running = Math.max(0, running - 1);
      if (pointStatus === 'failed') failed++;
      else if (pointStatus === 'completed' || pointStatus === 'diverged') { done++; times.push(seconds); }
      write(`[${done + failed}/${total}] ${label}: ${pointStatus}${detail ? ` (${detail})` : ''} in ${formatDuration(seconds)} — ${status()}`);
    },
    skipped(count) {
      done += count;
      if (count > 0) write(`${count} of ${total} points already finished on disk — ${status()}`);
    },
    counts,
  };
}
