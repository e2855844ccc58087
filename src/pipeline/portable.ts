import { copyFileSync, existsSync, linkSync, mkdirSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { LoadedManifest, Manifest } from './manifest.js';

// A run directory must survive being moved to another folder or machine: every file the
// manifest references (data sets, initial weights, subset / weight / batch lists, an ONNX model)
// is copied into RUN/inputs/ and the stored manifest names it relative to the run directory,
// which is where openRun resolves relative paths.

export const INPUTS_DIR = 'inputs';

export interface PortableManifest {
  manifest: Manifest;
  /** Files to place into the run directory: absolute source -> path relative to the run directory. */
  copies: { from: string; to: string }[];
}

/** The manifest as stored in a run: file references rewritten to copies inside the run directory. */
export function portableManifest(loaded: LoadedManifest): PortableManifest {
  const m = structuredClone(loaded.manifest);
  const copies: { from: string; to: string }[] = [];
  const bySource = new Map<string, string>();
  const taken = new Set<string>();
  const place = (file: string): string => {
    const from = isAbsolute(file) ? file : resolvePath(loaded.baseDir, file);
    const known = bySource.get(from);
    if (known) return known;
    // A file that is not there cannot be needed by a pipeline that resolved (an unused data set):
    // it keeps its absolute path, as before runs were portable.
    if (!existsSync(from)) return from;
    const ext = extname(from);
    const stem = basename(from, ext);
    let to = `${INPUTS_DIR}/${stem}${ext}`;
    for (let i = 2; taken.has(to); i++) to = `${INPUTS_DIR}/${stem}-${i}${ext}`;
    taken.add(to);
    bySource.set(from, to);
    copies.push({ from, to });
    return to;
  };
  if (m.model.kind === 'onnx') m.model.file = place(m.model.file);
  for (const spec of Object.values(m.datasets)) if ('file' in spec) spec.file = place(spec.file);
  if ('file' in m.init) m.init.file = place(m.init.file);
  for (const s of m.stages) {
    if (s.subset && !Array.isArray(s.subset)) s.subset.file = place(s.subset.file);
    if (s.sampleWeights && !Array.isArray(s.sampleWeights)) s.sampleWeights.file = place(s.sampleWeights.file);
    if ('file' in s.batchOrder) s.batchOrder.file = place(s.batchOrder.file);
  }
  return { manifest: m, copies };
}

/** Places the copies into `runDir` (a hard link when the file system allows, else a copy). */
export function copyInputs(runDir: string, copies: PortableManifest['copies']): void {
  if (copies.length === 0) return;
  mkdirSync(join(runDir, INPUTS_DIR), { recursive: true });
  for (const { from, to } of copies) {
    const dest = join(runDir, to);
    try {
      linkSync(from, dest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Error(`${from}: cannot copy into the run directory (file not found)`);
      copyFileSync(from, dest);
    }
  }
}
