/**
 * One trainer per run folder. A run takes `<dir>/run.lock` before it reads or writes anything
 * else there, so two processes started on the same point (a Slurm requeue while the first attempt
 * still runs, two engines over one study) never interleave their writes: one trains, the other
 * waits for it (or leaves) and then finds the run finished.
 *
 * The lock file holds the holder's host, pid and a random token; it is created complete with
 * link(2) from a temporary file, which fails atomically when the lock exists (also on NFS). A
 * background thread touches it every lease/4 (a thread, because a long probe blocks the main
 * one). The lock is stale, and may be broken, when its holder is on this host and its pid is
 * gone, or — holder on another host — when it has not been touched for a lease. Breaking renames
 * the stale file aside and checks it is the one judged stale before a new lock is taken.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface LockHolder { host: string; pid: number; token: string; acquired: string }

export const lockFileName = 'run.lock';

/** Lease of a holder on another host; IBL_LOCK_LEASE_SECONDS overrides the 600 s default. */
export function lockLeaseMs(): number {
  const seconds = Number(process.env.IBL_LOCK_LEASE_SECONDS ?? 600);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 600) * 1000;
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lock at `file` may be broken, or null when its holder is live. */
export function staleReason(file: string, holder: LockHolder | null, leaseMs = lockLeaseMs()): string | null {
  if (holder === null) {
    // An unreadable lock: created by link(2) complete, so only a foreign or damaged file; go by age.
    const age = Date.now() - fs.statSync(file).mtimeMs;
    return age > leaseMs ? `unreadable lock untouched for ${(age / 1000).toFixed(0)} s` : null;
  }
  if (holder.host === os.hostname()) return pidAlive(holder.pid) ? null : `holder pid ${holder.pid} on ${holder.host} has exited`;
  const age = Date.now() - fs.statSync(file).mtimeMs;
  return age > leaseMs ? `holder ${holder.host}:${holder.pid} has not renewed its lease for ${(age / 1000).toFixed(0)} s` : null;
}

export interface RunLock {
  holder: LockHolder;
  release(): void;
}

export type LockAttempt = { lock: RunLock } | { heldBy: LockHolder | null };

function startHeartbeat(file: string, intervalMs: number): Worker {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads'); const fs = require('node:fs');
     setInterval(() => { try { const t = new Date(); fs.utimesSync(workerData.file, t, t); } catch {} }, workerData.intervalMs);`,
    { eval: true, workerData: { file, intervalMs } },
  );
  worker.unref();
  return worker;
}

/** Take the run folder's lock, breaking a stale one; otherwise report who holds it. */
export function tryLockRun(dir: string, log: (line: string) => void = () => {}): LockAttempt {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, lockFileName);
  const holder: LockHolder = { host: os.hostname(), pid: process.pid, token: randomBytes(8).toString('hex'), acquired: new Date().toISOString() };
  const temporary = `${file}.new-${holder.token}`;
  fs.writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(temporary, file);
        const heartbeat = startHeartbeat(file, Math.max(250, lockLeaseMs() / 4));
        let released = false;
        return {
          lock: {
            holder,
            release: () => {
              if (released) return;
              released = true;
              void heartbeat.terminate();
              if (readHolder(file)?.token === holder.token) fs.rmSync(file, { force: true });
            },
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let current: LockHolder | null;
      let reason: string | null;
      try {
        current = readHolder(file);
        reason = staleReason(file, current);
      } catch {
        continue; // the lock vanished between link and stat: try again
      }
      if (reason === null) return { heldBy: current };
      const aside = `${file}.stale-${holder.token}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue; // someone else broke it first
      }
      const moved = readHolder(aside);
      if (moved?.token !== current?.token) {
        // Between our read and the rename another process replaced the stale lock: give it back.
        try { fs.linkSync(aside, file); } catch { /* a third process holds it now */ }
        fs.rmSync(aside, { force: true });
        continue;
      }
      fs.rmSync(aside, { force: true });
      log(`${dir}: broke a stale lock (${reason})`);
    }
    return { heldBy: readHolder(file) };
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
