import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonText, readSafetensors, writeSafetensors, type StTensor } from '../io/index.js';
import { withRunLock, type Run } from '../pipeline/index.js';
import { fromData } from '../tensor/index.js';
import type { EstimatorOptions, StageEmbeddings } from './estimators/index.js';

// Stage embeddings are behaviour-independent, so they are computed once per run and estimator
// and stored beside the run (attribution/embeddings-<estimator>.safetensors); any later behaviour
// is scored from them. The key is everything that shaped them: the run itself (its fingerprint:
// manifest, trace, checkpoints and data hashes, so a run retrained into the same directory never
// reuses another run's embeddings), the stage count and the estimator options.

const META = 'stagecredit.embeddings';

const metaSchema = z.object({
  estimator: z.string(),
  assumptions: z.unknown(),
  cost: z.unknown(),
  options: z.string(),
  stages: z.number().int().nonnegative(),
  run: z.string().nullable().optional(),
}).strict();

export function embeddingPath(run: Run, estimator: string): string {
  return join(run.dir, 'attribution', `embeddings-${estimator}.safetensors`);
}

function optionsKey(opts: EstimatorOptions): string {
  return JSON.stringify({
    curvatureSegments: opts.curvatureSegments, curvatureSample: opts.curvatureSample, curvatureRank: opts.curvatureRank,
    curvatureAdam: opts.curvatureAdam, coarseStride: opts.coarseStride,
  });
}

export function saveEmbeddings(run: Run, emb: StageEmbeddings, opts: EstimatorOptions): void {
  const names = run.pipeline.model.params.map((p) => p.name);
  const tensors: Record<string, StTensor> = {};
  emb.embeddings.forEach((list, k) => list.forEach((t, i) => {
    tensors[`stage${k}.${names[i]}`] = { dtype: 'F64', shape: [...t.shape], data: Float64Array.from(t.data) };
  }));
  withRunLock(run.dir, 'attribute', () => {
    mkdirSync(join(run.dir, 'attribution'), { recursive: true });
    writeSafetensors(embeddingPath(run, emb.estimator), tensors, {
      [META]: JSON.stringify({ estimator: emb.estimator, assumptions: emb.assumptions, cost: emb.cost, options: optionsKey(opts), stages: emb.embeddings.length, run: run.fingerprint }),
    });
  });
}

/**
 * The stored embeddings, or null when absent, made with other options, or made from another run
 * (or a run without a recorded fingerprint: nothing proves they belong to this one).
 */
export function loadEmbeddings(run: Run, estimator: string, opts: EstimatorOptions): StageEmbeddings | null {
  const path = embeddingPath(run, estimator);
  if (!existsSync(path)) return null;
  const { tensors, metadata } = readSafetensors(path);
  const raw = Object.hasOwn(metadata, META) ? metadata[META] : undefined;
  if (raw === undefined) return null;
  const parsed = metaSchema.safeParse(parseJsonText(raw, `${path} metadata "${META}"`, 16));
  if (!parsed.success) return null; // not ours to trust: recompute
  const meta = parsed.data;
  if (meta.options !== optionsKey(opts) || meta.stages !== run.pipeline.stages.length) return null;
  if (run.fingerprint === null || meta.run !== run.fingerprint) return null;
  const names = run.pipeline.model.params.map((p) => p.name);
  const dtype = run.pipeline.dtype;
  const embeddings = Array.from({ length: meta.stages }, (_, k) => names.map((n, i) => {
    const key = `stage${k}.${n}`;
    const t = Object.hasOwn(tensors, key) ? tensors[key] : undefined;
    const shape = run.pipeline.model.params[i].shape;
    if (!t || t.dtype !== 'F64' || t.shape.join() !== shape.join()) throw new Error(`${path}: missing or misshapen embedding for stage ${k}, parameter ${n}; delete the file to recompute`);
    return fromData(dtype === 'float64' ? t.data : Float32Array.from(t.data), t.shape);
  }));
  return { estimator: meta.estimator, embeddings, assumptions: meta.assumptions as StageEmbeddings['assumptions'], cost: meta.cost as StageEmbeddings['cost'] };
}
