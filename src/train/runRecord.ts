/**
 * The on-disk record of one run, reports/<run-id>/:
 *   config.json    the resolved config (after defaults and --set overrides)
 *   metrics.jsonl  one probe record per line, rewritten atomically at each probe
 *   summary.json   status (running | completed | diverged | failed), final values, backend,
 *                  package versions, seed, wall time
 *   checkpoint/    ibl-checkpoint/1 (see checkpoint.ts)
 *   report.png     the figure (report.svg / report.pdf on request)
 * Every file is written atomically, so an interrupted run never leaves a half-written file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomicWrite.ts';
import type { ProbeRecord } from '../probes/probeSuite.ts';

export class RunRecord {
  readonly metrics: ProbeRecord[] = [];

  constructor(readonly dir: string) {}

  path(file: string): string {
    return path.join(this.dir, file);
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.path('config.json'), config);
  }

  readConfig(): unknown | null {
    const file = this.path('config.json');
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
  }

  /** Load metrics recorded up to and including `upToStep` (for resumption). */
  loadMetrics(upToStep: number): void {
    const file = this.path('metrics.jsonl');
    this.metrics.length = 0;
    if (!fs.existsSync(file)) return;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as ProbeRecord;
      if (record.step <= upToStep) this.metrics.push(record);
    }
  }

  appendMetric(record: ProbeRecord): void {
    this.metrics.push(record);
    writeFileAtomic(this.path('metrics.jsonl'), this.metrics.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  writeSummary(summary: Record<string, unknown>): void {
    writeJsonAtomic(this.path('summary.json'), summary);
  }

  readSummary(): Record<string, unknown> | null {
    const file = this.path('summary.json');
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
  }
}
