import { z } from 'zod';
import { parseJsonText, readSafetensors, writeSafetensors, type StTensor } from '../io/index.js';
import type { Dataset } from './dataset.js';
import { validateDataset } from './validate.js';

// A data set as one safetensors file: x (F64), y (I32), one I32 tensor per group column
// ("groups.<name>"), and the rest (names, shapes, text) as JSON in the metadata.
const META_KEY = 'stagecredit.dataset';

interface DatasetMeta {
  name: string;
  featureShape: number[];
  numClasses: number;
  classNames?: string[];
  groupNames?: Record<string, string[]>;
  text?: string[];
  source: string;
}

const posInt = z.number().int().positive();
const metaSchema = z.object({
  name: z.string(),
  featureShape: z.array(posInt).min(1).max(8),
  numClasses: posInt,
  classNames: z.array(z.string()).optional(),
  groupNames: z.record(z.string(), z.array(z.string())).optional(),
  text: z.array(z.string()).optional(),
  source: z.string(),
}).strict();

export function writeDatasetFile(path: string, ds: Dataset): void {
  const tensors: Record<string, StTensor> = {
    x: { dtype: 'F64', shape: [ds.n, ...ds.featureShape], data: ds.x },
    y: { dtype: 'I32', shape: [ds.n], data: ds.y },
  };
  for (const [name, codes] of Object.entries(ds.groups ?? {})) tensors[`groups.${name}`] = { dtype: 'I32', shape: [ds.n], data: codes };
  const meta: DatasetMeta = {
    name: ds.name, featureShape: ds.featureShape, numClasses: ds.numClasses, classNames: ds.classNames,
    groupNames: ds.groupNames, text: ds.text, source: ds.source,
  };
  writeSafetensors(path, tensors, { [META_KEY]: JSON.stringify(meta) });
}

export function readDatasetFile(path: string): Dataset {
  const { tensors, metadata } = readSafetensors(path);
  const rawMeta = Object.hasOwn(metadata, META_KEY) ? metadata[META_KEY] : undefined;
  if (!rawMeta) throw new Error(`${path}: not a stagecredit data set (no "${META_KEY}" metadata)`);
  const parsed = metaSchema.safeParse(parseJsonText(rawMeta, `${path} metadata "${META_KEY}"`, 4));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${path}: metadata "${META_KEY}".${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  }
  const meta: DatasetMeta = parsed.data;
  const x = Object.hasOwn(tensors, 'x') ? tensors.x : undefined;
  const y = Object.hasOwn(tensors, 'y') ? tensors.y : undefined;
  if (!x || x.dtype !== 'F64' && x.dtype !== 'F32') throw new Error(`${path}: tensor "x" missing or not floating point`);
  if (!y || y.dtype !== 'I32' || y.shape.length !== 1) throw new Error(`${path}: tensor "y" missing or not a 1-D I32 tensor`);
  const per = meta.featureShape.reduce((a, b) => a * b, 1);
  if (x.shape[0] !== y.shape[0] || x.data.length !== y.shape[0] * per) {
    throw new Error(`${path}: tensor "x" has shape [${x.shape}], expected [${y.shape[0]}, ${meta.featureShape}] (featureShape from the metadata)`);
  }
  const groups: Record<string, Int32Array> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith('groups.')) continue;
    if (t.dtype !== 'I32') throw new Error(`${path}: group column "${name}" must be I32`);
    groups[name.slice('groups.'.length)] = t.data;
  }
  const ds: Dataset = {
    name: meta.name, n: y.shape[0], featureShape: meta.featureShape,
    x: x.data instanceof Float64Array ? x.data : Float64Array.from(x.data),
    y: y.data, numClasses: meta.numClasses, classNames: meta.classNames,
    groups: Object.keys(groups).length ? groups : undefined, groupNames: meta.groupNames, text: meta.text, source: meta.source,
  };
  try {
    return validateDataset(ds);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
