import * as T from '../autodiff/index.js';
import type { Dataset } from '../data/index.js';
import { correctClassProbability, crossEntropy, margin, type Model } from '../nn/index.js';
import { gatherBatch } from '../pipeline/trainingStep.js';
import { allocate, declareConstant, fromData, type DType, type Tensor } from '../tensor/index.js';
import { validateBehaviourSpec, type BehaviourSpec } from './behaviourSpec.js';
import { groupsOf, resolveGroup, type Group } from './groupSelection.js';

export {
  BEHAVIOUR_FORMS,
  BEHAVIOUR_KINDS,
  formatBehaviourSpec,
  parseBehaviourSpec,
  validateBehaviourSpec,
  type BehaviourKind,
  type BehaviourSpec,
  type GroupValue,
} from './behaviourSpec.js';

// Sign convention (once, for the whole project): a behaviour is a loss unless its name says
// otherwise (margin, probability, accuracy are scores), and tau_k(f) = f(theta_T) - f(theta_T^(-k))
// > 0 means stage k raised the behaviour: blame for a loss, credit for a score.

/** Which direction is good for a behaviour, so reports can say credit or blame. */
export type Better = 'lower' | 'higher' | 'unknown';

/** A behaviour written by a library user: a scalar, or a vector of `size` behaviours. */
export interface CustomBehaviour {
  name: string;
  fn: (model: Model, params: Tensor[], data: Dataset) => Tensor;
  /** Number of values fn returns (default 1); a vector gives behaviours "name[i]". */
  size?: number;
  better?: Better;
}

export type AnyBehaviour = BehaviourSpec | CustomBehaviour;

export interface BehaviourSet {
  /** One per behaviour, e.g. "loss[17]", "groupLoss[colour=red]", "worstGroupLoss[group]". */
  names: string[];
  /** The spec that produced each behaviour: the caller's object, shared by all it produced. */
  specs: AnyBehaviour[];
  better: Better[];
  /** All behaviours as one differentiable vector [m], in the parameters' dtype (float64 by default). */
  evaluate(params: Tensor[]): Tensor;
  /** The behaviour values without recording a graph. */
  values(params: Tensor[]): Float64Array;
}

function isCustom(s: AnyBehaviour): s is CustomBehaviour {
  return typeof (s as CustomBehaviour).fn === 'function';
}

/** Per-example outputs of one forward pass, each computed at most once. */
interface Outputs {
  params: Tensor[];
  loss(): Tensor;
  margin(): Tensor;
  probability(): Tensor;
}

/** A contiguous run of behaviours produced by one spec. */
interface Piece {
  spec: AnyBehaviour;
  names: string[];
  better: Better;
  compute(out: Outputs): Tensor;
}

/** Row g averages the examples of group g: group means as one matmul, exact in every mode. */
function averagingMatrix(groups: Group[], n: number, dtype: DType): Tensor {
  const a = allocate(dtype, groups.length * n);
  groups.forEach((g, r) => {
    for (const i of g.index) a[r * n + i] = 1 / g.index.length;
  });
  return fromData(a, [groups.length, n]);
}

/** One row: the mean over group a minus the mean over group b (disjoint groups). */
function contrastRow(a: Group, b: Group, n: number, dtype: DType): Tensor {
  const r = allocate(dtype, n);
  for (const i of a.index) r[i] = 1 / a.index.length;
  for (const i of b.index) r[i] = -1 / b.index.length;
  return fromData(r, [1, n]);
}

/** [n] per-example values -> [rows] weighted means. */
function rowMeans(rows: Tensor, v: Tensor): Tensor {
  return T.reshape(T.mm(rows, T.reshape(v, [v.size, 1])), [rows.shape[0]]);
}

function groupPiece(spec: BehaviourSpec & { kind: 'groupLoss' | 'groupAccuracy' }, data: Dataset, dtype: DType): Piece {
  const groups = spec.group === undefined ? groupsOf(data, spec.column) : [resolveGroup(data, spec.column, spec.group)];
  const rows = averagingMatrix(groups, data.n, dtype);
  const loss = spec.kind === 'groupLoss';
  return {
    spec,
    names: groups.map((g) => `${spec.kind}[${spec.column}=${g.label}]`),
    better: loss ? 'lower' : 'higher',
    compute: (o) => rowMeans(rows, loss ? o.loss() : o.probability()),
  };
}

function specPiece(spec: BehaviourSpec, data: Dataset, dtype: DType): Piece {
  const n = data.n;
  const perExample = (prefix: string, better: Better, pick: (o: Outputs) => Tensor): Piece => ({
    spec,
    names: Array.from({ length: n }, (_, i) => `${prefix}[${i}]`),
    better,
    compute: pick,
  });
  switch (spec.kind) {
    case 'exampleLoss':
      return perExample('loss', 'lower', (o) => o.loss());
    case 'exampleMargin':
      return perExample('margin', 'higher', (o) => o.margin());
    case 'exampleProbability':
      return perExample('probability', 'higher', (o) => o.probability());
    case 'meanLoss':
      return { spec, names: ['meanLoss'], better: 'lower', compute: (o) => T.mean(o.loss()) };
    case 'groupLoss':
    case 'groupAccuracy':
      return groupPiece(spec, data, dtype);
    case 'worstGroupLoss': {
      const groups = groupsOf(data, spec.column);
      const rows = averagingMatrix(groups, n, dtype);
      // T.max sends the derivative to the first maximal group, as torch.max does.
      return { spec, names: [`worstGroupLoss[${spec.column}]`], better: 'lower', compute: (o) => T.max(rowMeans(rows, o.loss()), 0) };
    }
    case 'groupGap': {
      const a = resolveGroup(data, spec.column, spec.a);
      const b = resolveGroup(data, spec.column, spec.b);
      if (a.code === b.code) throw new Error(`groupGap: a and b are the same group (${spec.column}=${a.label})`);
      const row = contrastRow(a, b, n, dtype);
      return { spec, names: [`groupGap[${spec.column}=${a.label},${b.label}]`], better: 'unknown', compute: (o) => rowMeans(row, o.loss()) };
    }
  }
}

function customPiece(c: CustomBehaviour, model: Model, data: Dataset, where: string): Piece {
  if (typeof c.name !== 'string' || c.name.length === 0) throw new Error(`${where}: a custom behaviour needs a non-empty name`);
  const size = c.size ?? 1;
  if (!Number.isInteger(size) || size < 1) throw new Error(`${where} (${c.name}): size must be a positive integer, got ${size}`);
  return {
    spec: c,
    names: size === 1 ? [c.name] : Array.from({ length: size }, (_, i) => `${c.name}[${i}]`),
    better: c.better ?? 'unknown',
    compute: (o) => c.fn(model, o.params, data),
  };
}

/**
 * Compiles behaviour specs against the evaluation data. evaluate(params) runs the model once on
 * the whole data and returns every behaviour as one vector, so an estimator takes one JVP (or
 * one VJP per behaviour) of the whole set.
 */
export function compileBehaviours(specs: AnyBehaviour[], model: Model, data: Dataset, dtype: DType): BehaviourSet {
  if (specs.length === 0) throw new Error('no behaviours given');
  if (data.n === 0) throw new Error(`evaluation data "${data.name}" has no examples`);
  const pieces = specs.map((s, i) => {
    const where = `behaviours[${i}]`;
    if (isCustom(s)) return customPiece(s, model, data, where);
    try {
      // The caller's own object is kept as the spec, so results map back to what was asked.
      return { ...specPiece(validateBehaviourSpec(s, where), data, dtype), spec: s };
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(where) ? msg : `${where} (${s.kind}): ${msg}`);
    }
  });
  const names = pieces.flatMap((p) => p.names);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`behaviour "${name}" is listed twice`);
    seen.add(name);
  }
  const m = names.length;
  const placement: Int32Array[] = [];
  let offset = 0;
  for (const p of pieces) {
    placement.push(Int32Array.from(p.names, (_, j) => offset + j));
    offset += p.names.length;
  }
  const y = data.y;
  // float64 data is used in place: no copy of a large evaluation set.
  const x = dtype === 'float64' ? fromData(data.x, [data.n, ...data.featureShape]) : gatherBatch(data, Array.from({ length: data.n }, (_, i) => i), dtype).x;
  // Data sets are never written, and every read-out multiplies this same x: gemm keeps it packed.
  declareConstant(x.data);

  const evaluate = (params: Tensor[]): Tensor => {
    // Lazy, so custom-only sets skip the forward pass and unused per-example outputs are not built.
    let logits: Tensor | undefined;
    let loss: Tensor | undefined;
    let marg: Tensor | undefined;
    let prob: Tensor | undefined;
    const z = () => (logits ??= model.forward(params, x));
    const out: Outputs = {
      params,
      loss: () => (loss ??= crossEntropy(z(), y, 'none')),
      margin: () => (marg ??= margin(z(), y)),
      probability: () => (prob ??= correctClassProbability(z(), y)),
    };
    let vector: Tensor | undefined;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      const v = p.compute(out);
      if (v.size !== p.names.length) {
        throw new Error(`behaviour ${p.names.length === 1 ? p.names[0] : `${p.names[0]}..`} returned ${v.size} values, expected ${p.names.length}`);
      }
      // Each piece is scattered to its slots; the sum is the concatenation, differentiable both ways.
      const placed = T.scatterAdd(v, placement[i], [m]);
      vector = vector ? T.add(vector, placed) : placed;
    }
    return vector!;
  };
  const values = (params: Tensor[]): Float64Array => Float64Array.from(T.noGrad(() => evaluate(params)).data);
  return { names, specs: pieces.flatMap((p) => p.names.map(() => p.spec)), better: pieces.flatMap((p) => p.names.map(() => p.better)), evaluate, values };
}
