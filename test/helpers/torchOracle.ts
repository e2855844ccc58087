// PyTorch as a test oracle. Only Debian's /usr/bin/python3 can import python3-torch (the pyenv
// python3 first on PATH cannot), so that interpreter is hard-wired and PATH is never consulted.
//
// Wire format: JSON both ways. Doubles are exact in both directions: JSON.stringify and Python's
// json.dumps both write the shortest decimal that round-trips, and JSON.parse / json.loads both
// round correctly. NaN, ±Infinity and -0 (which JSON cannot carry; JSON.stringify would silently
// turn them into null and 0) travel as {"$float": "nan" | "inf" | "-inf" | "-0"}, and typed arrays
// as plain arrays; test/oracle/common.py does the matching work on the python side.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const ENABLE_HINT = 'install it with: sudo apt-get install python3-torch libopenblas0-pthread';
/** Set to 1 to skip oracle tests even when torch is installed (e.g. to exercise the skip path). */
export const SKIP_ENV = 'STAGECREDIT_SKIP_TORCH';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ORACLE_DIR = join(REPO_ROOT, 'test', 'oracle');

export type TorchStatus = { ok: true } | { ok: false; reason: string };

export interface TorchInfo {
  version: string;
  /** Shared libraries providing BLAS/LAPACK that torch actually loaded (from /proc/self/maps). */
  blasLibraries: string[];
  /** True when the loaded BLAS is OpenBLAS. Debian builds torch with BLAS_INFO=generic, so
   *  torch.__config__.show() names no vendor; the library mapped after a matmul is the truth. */
  openblas: boolean;
  threads: number;
}

export interface RunTorchOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

// Python started from a pyenv shell can inherit PYTHONHOME/PYTHONPATH meant for another
// interpreter; give the system python a clean view with test/oracle importable (for `common`).
function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PYTHONHOME;
  delete env.PYTHONSTARTUP;
  env.PYTHONPATH = ORACLE_DIR;
  env.PYTHONDONTWRITEBYTECODE = '1'; // no __pycache__ litter in test/oracle
  env.PYTHONIOENCODING = 'utf-8';
  return { ...env, ...extra };
}

let status: TorchStatus | undefined;

export function torchAvailable(): TorchStatus {
  if (status) return status;
  if (process.env[SKIP_ENV] === '1') {
    status = { ok: false, reason: `torch oracle disabled by ${SKIP_ENV}=1` };
    return status;
  }
  if (!existsSync(PYTHON)) {
    status = { ok: false, reason: `${PYTHON} not found; ${ENABLE_HINT}` };
    return status;
  }
  // Importing torch cold can take several seconds on a slow disk.
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { env: pythonEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    status = { ok: false, reason: `${PYTHON} cannot import torch (${why}); ${ENABLE_HINT}` };
  } else {
    status = { ok: true };
  }
  return status;
}

const INFO_SCRIPT = `
import torch
from common import write_output
a = torch.ones(64, 64, dtype=torch.float64)
a @ a  # makes sure the BLAS library is loaded before we look
libs = set()
with open('/proc/self/maps') as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 6 and ('blas' in parts[5].lower() or 'lapack' in parts[5].lower()):
            libs.add(parts[5])
write_output({'version': torch.__version__, 'libs': sorted(libs),
              'config': torch.__config__.show(), 'threads': torch.get_num_threads()})
`;

let info: TorchInfo | undefined;

/** Version and BLAS of the oracle's torch; undefined when torch is unavailable. Cached. */
export function torchInfo(): TorchInfo | undefined {
  if (info || !torchAvailable().ok) return info;
  const r = runTorch(INFO_SCRIPT, null) as { version: string; libs: string[]; config: string; threads: number };
  const openblas = r.libs.some((l) => /openblas/i.test(l)) || /openblas/i.test(r.config);
  info = { version: r.version, blasLibraries: r.libs, openblas, threads: r.threads };
  return info;
}

/** A script argument ending in .py (single line) is a file: absolute, relative to the repo root
 *  when it contains a slash, else a name inside test/oracle. Anything else is inline code. */
function scriptArgs(script: string): string[] {
  if (!script.includes('\n') && script.endsWith('.py')) {
    const path = isAbsolute(script) ? script : script.includes('/') ? join(REPO_ROOT, script) : join(ORACLE_DIR, script);
    if (!existsSync(path)) throw new Error(`oracle script not found: ${path}`);
    return [path];
  }
  return ['-c', script];
}

function encode(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $float: 'nan' };
    if (value === Infinity) return { $float: 'inf' };
    if (value === -Infinity) return { $float: '-inf' };
    if (Object.is(value, -0)) return { $float: '-0' };
    return value;
  }
  // Without this a Float64Array would serialise as {"0": .., "1": ..}.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x));
  }
  return value;
}

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };

function decode(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const tag = (value as { $float?: unknown }).$float;
    if (keys.length === 1 && typeof tag === 'string' && tag in SPECIAL) return SPECIAL[tag];
  }
  return value;
}

/** Runs a python oracle (file or inline code; see scriptArgs) with `input` as JSON on stdin and
 *  returns its JSON stdout. Throws with python's stderr when it exits non-zero. */
export function runTorch(script: string, input: unknown, opts: RunTorchOptions = {}): any {
  const args = scriptArgs(script);
  const r = spawnSync(PYTHON, args, {
    input: JSON.stringify(input ?? null, encode),
    env: pythonEnv(opts.env),
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 1 << 30,
  });
  const label = args[0] === '-c' ? 'inline torch script' : args[0];
  if (r.error) throw new Error(`${label}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.status !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `exited with ${r.status}`;
    throw new Error(`${label} ${how}:\n${r.stderr.trim()}`);
  }
  try {
    return JSON.parse(r.stdout, decode);
  } catch (e) {
    const head = r.stdout.length > 500 ? `${r.stdout.slice(0, 500)}…` : r.stdout;
    throw new Error(`${label} printed non-JSON output (${(e as Error).message}): ${head}`);
  }
}

/** A node:test test that is skipped, with the reason, when torch is unavailable. */
export function oracleTest(
  name: string,
  fn: (t: TestContext) => void | Promise<void>,
  options: { timeout?: number } = {},
): Promise<void> {
  const s = torchAvailable();
  return test(name, { ...options, skip: s.ok ? false : s.reason }, fn);
}
