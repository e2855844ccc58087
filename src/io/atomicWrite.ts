// Crash-safe file replacement: readers see either the old file or the complete new one, never a
// torn write. The temp file lives in the target's directory because rename(2) is only atomic
// within one filesystem.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Failure of an atomic write; `path` is the target the caller asked for (not the temp file). */
export class AtomicWriteError extends Error {
  readonly path: string;
  /** The errno code of the underlying failure (e.g. 'ENOENT'), when there was one. */
  readonly code: string | undefined;
  constructor(path: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot write ${path}: ${why}`, { cause });
    this.name = 'AtomicWriteError';
    this.path = path;
    this.code = (cause as { code?: unknown } | null)?.code as string | undefined;
  }
}

/**
 * Writes `data` (strings as UTF-8) to `path` atomically: temp file in the same directory, fsync,
 * rename over the target, then fsync the directory so the rename itself survives a crash.
 * The parent directory must already exist. On failure the temp file is removed and the target
 * is untouched.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  // pid + random suffix: concurrent writers (threads or processes) never share a temp file.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx'); // 'x': never clobber a file we did not create
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) ignoreErrors(() => closeSync(fd as number));
    ignoreErrors(() => unlinkSync(tmp));
    throw new AtomicWriteError(path, err);
  }
  fsyncDirectory(dir);
}

/**
 * Writes several files so that a failure leaves none of them changed: every temp file is written
 * and synced first, and only then are they renamed into place (renames do not fail for space).
 */
export function writeFilesAtomic(files: { path: string; data: Uint8Array | string }[]): void {
  const staged: { tmp: string; path: string }[] = [];
  try {
    for (const f of files) {
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      const bytes = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
      let fd: number | undefined;
      try {
        fd = openSync(tmp, 'wx');
        staged.push({ tmp, path: f.path });
        let done = 0;
        while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
        fsyncSync(fd);
      } catch (err) {
        throw new AtomicWriteError(f.path, err);
      } finally {
        if (fd !== undefined) ignoreErrors(() => closeSync(fd as number));
      }
    }
    for (const s of staged) {
      try {
        renameSync(s.tmp, s.path);
      } catch (err) {
        throw new AtomicWriteError(s.path, err);
      }
    }
  } catch (err) {
    for (const s of staged) ignoreErrors(() => unlinkSync(s.tmp));
    throw err;
  }
  for (const d of new Set(files.map((f) => dirname(f.path)))) fsyncDirectory(d);
}

/** Pretty-printed (2-space) JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (err) {
    throw new AtomicWriteError(path, err); // BigInt, cycles: say which file we were writing
  }
  // JSON.stringify returns undefined for undefined, functions and symbols.
  if (text === undefined) throw new AtomicWriteError(path, new TypeError(`value of type ${typeof value} is not JSON-serialisable`));
  writeFileAtomic(path, `${text}\n`);
}

// Best effort: some platforms (Windows) and filesystems cannot open or fsync a directory. The
// data is already in place by now, so failing here would only report lost durability, not loss.
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // see above
  } finally {
    if (fd !== undefined) ignoreErrors(() => closeSync(fd as number));
  }
}

function ignoreErrors(fn: () => void): void {
  try {
    fn();
  } catch {
    // cleanup after an earlier error; that error is the one worth reporting
  }
}
