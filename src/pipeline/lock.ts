// An exclusive lock on a run directory, held by every command that writes into it, so two
// processes never interleave their files (a directory is always one run's). The lock is a file
// created atomically with link(2) (which fails if it exists) holding the owner's pid, host,
// command and start time. A lock whose process is gone (killed, crashed, Ctrl-C) is recognised
// as stale, reported and taken over. Within one process the lock is re-entrant, so a command
// that holds it can call library functions that take it again.
import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { readJsonFile } from '../io/index.js';

export const LOCK_FILE = '.stagecredit.lock';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export class RunLockedError extends Error {
  constructor(readonly dir: string, readonly owner: LockOwner) {
    super(`${dir} is in use by \`stagecredit ${owner.command}\` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); `
      + `wait for it to finish or choose another directory (if no such process exists, delete ${join(dir, LOCK_FILE)})`);
    this.name = 'RunLockedError';
  }
}

export interface RunLock {
  readonly dir: string;
  /** The stale lock this acquisition replaced, if any (its process had ended). */
  readonly replacedStale: LockOwner | null;
  release(): void;
}

const held = new Map<string, { count: number; path: string }>();
let exitHookInstalled = false;

export function lockPath(dir: string): string {
  return join(dir, LOCK_FILE);
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner, or null when there is no lock or it is unreadable (treated as stale). */
export function readLockOwner(dir: string): LockOwner | null {
  try {
    const v = readJsonFile(lockPath(dir), 4096) as Partial<LockOwner> | null;
    if (v && typeof v === 'object' && Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.command === 'string' && typeof v.startedAt === 'string') {
      return v as LockOwner;
    }
    return { pid: -1, host: hostname(), command: 'unknown', startedAt: 'unknown' };
  } catch (e) {
    if ((e as Error).message.includes('ENOENT')) return null;
    return { pid: -1, host: hostname(), command: 'unknown', startedAt: 'unknown' };
  }
}

/** A lock owner that can no longer be writing: its process has ended (same host only). */
export function isStale(owner: LockOwner): boolean {
  if (owner.pid === -1) return true;
  return owner.host === hostname() && !processAlive(owner.pid);
}

/**
 * Takes the lock on `dir` (which must exist) for `command`; throws RunLockedError naming the
 * owner if another live process holds it.
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  const key = resolve(dir);
  const mine = held.get(key);
  if (mine) {
    mine.count++;
    return { dir, replacedStale: null, release: () => releaseKey(key) };
  }
  const path = lockPath(dir);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  let replacedStale: LockOwner | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${dir}: cannot create the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      const current = readLockOwner(dir);
      if (current === null) continue; // released between our link and our read
      if (current.pid === process.pid && current.host === owner.host) throw new RunLockedError(dir, current); // another thread of ours
      if (!isStale(current) || attempt > 5) throw new RunLockedError(dir, current);
      // Move the stale lock aside under a unique name: of several processes doing this at once
      // only one rename succeeds, and the link above decides who gets the fresh lock.
      const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
      try {
        renameSync(path, aside);
        unlinkSync(aside);
        replacedStale = current;
      } catch {
        // someone else moved it first; try again
      }
    }
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
  held.set(key, { count: 1, path });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const k of [...held.keys()]) releaseKey(k, true);
    });
  }
  return { dir, replacedStale, release: () => releaseKey(key) };
}

function releaseKey(key: string, all = false): void {
  const h = held.get(key);
  if (!h) return;
  if (!all && --h.count > 0) return;
  held.delete(key);
  const owner = readLockOwner(key);
  if (owner && owner.pid === process.pid && owner.host === hostname()) {
    try { unlinkSync(h.path); } catch { /* gone */ }
  }
}

/** Whether this process holds the lock on `dir`. */
export function holdsRunLock(dir: string): boolean {
  return held.has(resolve(dir));
}

/** Runs `fn` holding the lock on `dir` (re-entrant: free if this process already holds it). */
export function withRunLock<T>(dir: string, command: string, fn: () => T): T {
  const lock = acquireRunLock(dir, command);
  try {
    return fn();
  } finally {
    lock.release();
  }
}
