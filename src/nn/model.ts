import { ShapeError, shapeStr, sizeOf, Tensor, type DType, type Rng } from '../tensor/index.js';
import * as T from '../autodiff/index.js';
import type { ModelConfig } from './config.js';
import { initParam, type InitRule } from './init.js';

/** One parameter tensor, named as PyTorch's state_dict would name it. */
export interface ParamSpec {
  name: string;
  shape: number[];
}

/**
 * A model is a pure function of a flat, ordered parameter list, so optimizers and estimators
 * can treat parameters as Tensor[] and differentiate through forward with the functional
 * transforms.
 */
export interface Model {
  readonly kind: string;
  /** JSON-serialisable, with every default filled in; createModel(config) rebuilds the model. */
  readonly config: ModelConfig;
  readonly params: ParamSpec[];
  /** Per-example input shape, e.g. [784] or [1, 28, 28]. */
  readonly inputShape: number[];
  readonly numClasses: number;
  /** PyTorch's default initialisation, drawn from rng in parameter order (each tensor row-major). */
  init(rng: Rng, dtype?: DType): Tensor[];
  /** x: [B, ...inputShape] (or any [B, ...] with the same per-example size) -> logits [B, numClasses]. */
  forward(params: Tensor[], x: Tensor): Tensor;
}

/** A parameter with the rule that initialises it. */
export interface ParamDef extends ParamSpec {
  init: InitRule;
}

/** Parameter lookup by name inside a forward pass. */
export type ParamGetter = (name: string) => Tensor;

/** Total number of scalar parameters. */
export function paramCount(model: Pick<Model, 'params'>): number {
  return model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
}

/** Throws unless params matches the model's specs in count, order and shape. */
export function checkParams(model: Pick<Model, 'kind' | 'params'>, params: readonly Tensor[], op = 'forward'): void {
  const where = `${model.kind}.${op}`;
  if (!Array.isArray(params)) throw new TypeError(`${where}: params must be an array of Tensors`);
  if (params.length !== model.params.length) {
    throw new ShapeError(where, `expected ${model.params.length} parameter tensors (${model.params.map((p) => p.name).join(', ')}), got ${params.length}`);
  }
  model.params.forEach((spec, i) => {
    const p = params[i];
    if (!(p instanceof Tensor)) throw new TypeError(`${where}: parameter ${i} (${spec.name}) is not a Tensor`);
    if (!sameDims(p.shape, spec.shape)) {
      throw new ShapeError(where, `parameter ${i} (${spec.name}) has shape ${shapeStr(p.shape)}, expected ${shapeStr(spec.shape)}`);
    }
  });
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Assembles a Model from its parameter definitions and a forward body. The body receives x
 * already reshaped to [B, ...inputShape]; inputs that only differ in how the per-example values
 * are laid out ([B, 784] for a [1, 28, 28] model, or the reverse) are accepted, as torch users
 * would write x.view(B, ...).
 */
export function assembleModel(
  config: ModelConfig,
  defs: ParamDef[],
  inputShape: number[],
  numClasses: number,
  body: (p: ParamGetter, x: Tensor) => Tensor,
): Model {
  const params: ParamSpec[] = defs.map((d) => ({ name: d.name, shape: [...d.shape] }));
  const index = new Map(params.map((p, i) => [p.name, i]));
  const perExample = sizeOf(inputShape);
  const kind = config.kind;
  const model: Model = {
    kind,
    config,
    params,
    inputShape: [...inputShape],
    numClasses,
    init(rng: Rng, dtype: DType = 'float64'): Tensor[] {
      return defs.map((d) => initParam(d.shape, d.init, rng, dtype));
    },
    forward(ps: Tensor[], x: Tensor): Tensor {
      checkParams(model, ps);
      if (!(x instanceof Tensor)) throw new TypeError(`${kind}.forward: x must be a Tensor`);
      if (x.rank < 2 || sizeOf(x.shape.slice(1)) !== perExample) {
        throw new ShapeError(`${kind}.forward`, `input ${shapeStr(x.shape)} is not a batch of examples of shape ${shapeStr(inputShape)} (expected [B, ${inputShape.join(', ')}])`);
      }
      const get: ParamGetter = (name) => {
        const i = index.get(name);
        if (i === undefined) throw new Error(`${kind}.forward: internal error, no parameter named ${name}`);
        return ps[i];
      };
      return body(get, T.reshape(x, [x.shape[0], ...inputShape]));
    },
  };
  return model;
}
