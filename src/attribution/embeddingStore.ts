import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors, type StTensor } from '../io/index.js';
import type { Run } from '../pipeline/index.js';
import { fromData } from '../tensor/index.js';
import type { EstimatorOptions, StageEmbeddings } from './estimators/index.js';

// Stage embeddings are behaviour-independent, so they are computed once per run and estimator
// and stored beside the run (attribution/embeddings-<estimator>.safetensors); any later behaviour
// is scored from them. The options that shaped them are part of the key.

const META = 'stagecredit.embeddings';

export function embeddingPath(run: Run, estimator: string): string {
  return join(run.dir, 'attribution', `embeddings-${estimator}.safetensors`);
}

function optionsKey(opts: EstimatorOptions): string {
  return JSON.stringify({ curvatureSegments: opts.curvatureSegments, curvatureSample: opts.curvatureSample, curvatureRank: opts.curvatureRank });
}

export function saveEmbeddings(run: Run, emb: StageEmbeddings, opts: EstimatorOptions): void {
  const names = run.pipeline.model.params.map((p) => p.name);
  const tensors: Record<string, StTensor> = {};
  emb.embeddings.forEach((list, k) => list.forEach((t, i) => {
    tensors[`stage${k}.${names[i]}`] = { dtype: 'F64', shape: [...t.shape], data: Float64Array.from(t.data) };
  }));
  mkdirSync(join(run.dir, 'attribution'), { recursive: true });
  writeSafetensors(embeddingPath(run, emb.estimator), tensors, {
    [META]: JSON.stringify({ estimator: emb.estimator, assumptions: emb.assumptions, cost: emb.cost, options: optionsKey(opts), stages: emb.embeddings.length }),
  });
}

/** The stored embeddings, or null when absent or made with other options. */
export function loadEmbeddings(run: Run, estimator: string, opts: EstimatorOptions): StageEmbeddings | null {
  const path = embeddingPath(run, estimator);
  if (!existsSync(path)) return null;
  const { tensors, metadata } = readSafetensors(path);
  const meta = JSON.parse(metadata[META] ?? '{}') as { estimator: string; assumptions: StageEmbeddings['assumptions']; cost: StageEmbeddings['cost']; options: string; stages: number };
  if (meta.options !== optionsKey(opts) || meta.stages !== run.pipeline.stages.length) return null;
  const names = run.pipeline.model.params.map((p) => p.name);
  const dtype = run.pipeline.dtype;
  const embeddings = Array.from({ length: meta.stages }, (_, k) => names.map((n) => {
    const t = tensors[`stage${k}.${n}`];
    if (!t || t.dtype !== 'F64') throw new Error(`${path}: missing embedding for stage ${k}, parameter ${n}; delete the file to recompute`);
    return fromData(dtype === 'float64' ? t.data : Float32Array.from(t.data), t.shape);
  }));
  return { estimator: meta.estimator, embeddings, assumptions: meta.assumptions, cost: meta.cost };
}
