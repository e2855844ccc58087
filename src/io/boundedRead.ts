// Reading files a run depends on without trusting them: only regular files (a path to /dev/zero
// or a FIFO would otherwise grow memory or block forever), never more than a stated size, JSON
// nested no deeper than a stated depth (deeper input overflows recursive validators), and error
// messages that never echo file content (a JSON list file pointed at /etc/passwd must not print it).
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';

/** JSON files (manifests, run.json, index lists, reports): far above any real one. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;
/** Binary files (safetensors data sets, checkpoints). */
export const MAX_BINARY_BYTES = 8 * 1024 * 1024 * 1024;
/** Nesting depth of any JSON value read from disk. */
export const MAX_JSON_DEPTH = 64;

/** A file that cannot be read safely or is not what it should be; `path` names it. */
export class FileBoundaryError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'FileBoundaryError';
  }
}

/** Reads a regular file of at most `maxBytes` bytes; refuses devices, FIFOs, directories. */
export function readFileBounded(path: string, maxBytes: number = MAX_BINARY_BYTES): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before fstat can refuse it.
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new FileBoundaryError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileBoundaryError(path, `not a regular file (${kindOf(st)}); refusing to read it`);
    if (st.size > maxBytes) throw new FileBoundaryError(path, `${st.size} bytes is over the ${maxBytes}-byte limit for this file`);
    const out = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < st.size) {
      const n = readSync(fd, out, done, st.size - done, done);
      if (n === 0) break;
      done += n;
    }
    if (done !== st.size) throw new FileBoundaryError(path, `changed size while being read (${done} of ${st.size} bytes)`);
    return out;
  } catch (e) {
    if (e instanceof FileBoundaryError) throw e;
    throw new FileBoundaryError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * The deepest nesting of arrays/objects in JSON text, scanning at most until `limit` is passed
 * (strings skipped). Checked before JSON.parse so no recursive reader ever sees deeper input.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** JSON.parse with the project's own error: names `source`, never quotes its content. */
export function parseJsonText(text: string, source: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  if (jsonDepthExceeds(text, maxDepth)) throw new FileBoundaryError(source, `JSON nested deeper than ${maxDepth} levels; refusing to read it`);
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error; keep only where it is.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new FileBoundaryError(source, `not valid JSON${at ? ` (error at character ${at[1]})` : ' (malformed or truncated)'}`);
  }
}

/** A bounded, depth-checked JSON file. */
export function readJsonFile(path: string, maxBytes: number = MAX_JSON_BYTES): unknown {
  const bytes = readFileBounded(path, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileBoundaryError(path, 'not UTF-8 text');
  }
  return parseJsonText(text, path);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
