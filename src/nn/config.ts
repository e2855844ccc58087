// Model configurations: plain JSON, validated field by field so a bad case file or CLI flag is
// reported by the path of the offending field ("stages[0].model.hidden[1]: ...").

/** 'gelu' is exact (erf form, torch's default nn.GELU()); 'gelu-tanh' is nn.GELU(approximate='tanh'). */
export type Activation = 'relu' | 'tanh' | 'gelu' | 'gelu-tanh' | 'sigmoid' | 'softplus';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'gelu', 'gelu-tanh', 'sigmoid', 'softplus'];

export type PoolKind = 'max' | 'avg';
export const POOLS: readonly PoolKind[] = ['max', 'avg'];

export interface LogisticConfig {
  kind: 'logistic';
  inputDim: number;
  numClasses: number;
}

export interface MlpConfig {
  kind: 'mlp';
  inputDim: number;
  hidden: number[];
  numClasses: number;
  /** Default 'relu'. */
  activation?: Activation;
}

export interface CnnConfig {
  kind: 'cnn';
  /** [C, H, W]. */
  inputShape: [number, number, number];
  /** Output channels of each conv -> act -> pool2 stage. */
  channels: number[];
  /** Odd square kernel size, padded to keep H and W; default 3. */
  kernel?: number;
  /** Default 'max'. */
  pool?: PoolKind;
  /** Hidden linear layers after the flatten; default none. */
  hidden?: number[];
  numClasses: number;
  /** Default 'relu'. */
  activation?: Activation;
}

export interface TransformerConfig {
  kind: 'transformer';
  seqLen: number;
  tokenDim: number;
  dModel: number;
  heads: number;
  /** MLP width = mlpRatio * dModel (must be an integer); default 4. */
  mlpRatio?: number;
  numClasses: number;
}

/** A model read from an ONNX file (e.g. torch.onnx.export); see src/nn/onnx. */
export interface OnnxModelConfig {
  kind: 'onnx';
  /** Path of the .onnx file, relative to the manifest's (or run directory's) folder. */
  file: string;
  /** Initializers that are trained parameters, in order (default: every floating-point initializer). */
  parameters?: string[];
}

export type ModelConfig = LogisticConfig | MlpConfig | CnnConfig | TransformerConfig | OnnxModelConfig;
export type ModelKind = ModelConfig['kind'];
export const MODEL_KINDS: readonly ModelKind[] = ['logistic', 'mlp', 'cnn', 'transformer', 'onnx'];

/** A config that cannot describe a model; `field` is the full path of the offending field. */
export class ModelConfigError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'ModelConfigError';
    this.field = field;
  }
}

const FIELDS: Record<ModelKind, { required: string[]; optional: string[] }> = {
  logistic: { required: ['inputDim', 'numClasses'], optional: [] },
  mlp: { required: ['inputDim', 'hidden', 'numClasses'], optional: ['activation'] },
  cnn: { required: ['inputShape', 'channels', 'numClasses'], optional: ['kernel', 'pool', 'hidden', 'activation'] },
  transformer: { required: ['seqLen', 'tokenDim', 'dModel', 'heads', 'numClasses'], optional: ['mlpRatio'] },
  onnx: { required: ['file'], optional: ['parameters'] },
};

function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? '[...]' : '{...}'; // nested too deeply to print (or cyclic)
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Checks an untrusted value (parsed JSON) and returns a fresh, typed copy. `where` prefixes every
 * field path in error messages. Unknown fields are rejected: a typo must not silently fall back
 * to a default.
 */
export function validateModelConfig(config: unknown, where: string): ModelConfig {
  const fail = (field: string, problem: string): never => {
    throw new ModelConfigError(field ? `${where}.${field}` : where, problem);
  };
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    return fail('', `must be an object with a "kind" field, got ${show(config)}`);
  }
  const c = config as Record<string, unknown>;
  const kind = c.kind;
  if (typeof kind !== 'string' || !(MODEL_KINDS as readonly string[]).includes(kind)) {
    return fail('kind', `must be one of ${MODEL_KINDS.join(', ')}; got ${show(kind)}`);
  }
  const k = kind as ModelKind;
  const allowed = new Set(['kind', ...FIELDS[k].required, ...FIELDS[k].optional]);
  for (const key of Object.keys(c)) {
    if (!allowed.has(key)) fail(key, `unexpected field for a ${k} model (allowed: ${[...allowed].join(', ')})`);
  }
  for (const key of FIELDS[k].required) {
    if (c[key] === undefined) fail(key, `is required for a ${k} model`);
  }

  const posInt = (key: string): number => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(key, `must be a positive integer, got ${show(v)}`);
    if (!Number.isSafeInteger(v)) fail(key, `must be at most 2^53 - 1 (a safe integer), got ${show(v)}`);
    return v as number;
  };
  const posIntList = (key: string, allowEmpty: boolean): number[] => {
    const v = c[key];
    if (!Array.isArray(v)) return fail(key, `must be an array of positive integers, got ${show(v)}`);
    if (!allowEmpty && v.length === 0) fail(key, 'must not be empty');
    v.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) fail(`${key}[${i}]`, `must be a positive integer, got ${show(d)}`);
      if (!Number.isSafeInteger(d)) fail(`${key}[${i}]`, `must be at most 2^53 - 1 (a safe integer), got ${show(d)}`);
    });
    return [...(v as number[])];
  };
  const oneOf = <T extends string>(key: string, options: readonly T[]): T | undefined => {
    const v = c[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
      fail(key, `must be one of ${options.join(', ')}; got ${show(v)}`);
    }
    return v as T;
  };

  switch (k) {
    case 'onnx': {
      if (typeof c.file !== 'string' || c.file.length === 0) fail('file', `must be the path of an .onnx file, got ${show(c.file)}`);
      const out: OnnxModelConfig = { kind: k, file: c.file as string };
      if (c.parameters !== undefined) {
        if (!Array.isArray(c.parameters) || c.parameters.some((p) => typeof p !== 'string' || p.length === 0)) {
          fail('parameters', `must be a list of initializer names, got ${show(c.parameters)}`);
        }
        out.parameters = [...(c.parameters as string[])];
      }
      return out;
    }
    case 'logistic':
      return { kind: k, inputDim: posInt('inputDim'), numClasses: posInt('numClasses') };
    case 'mlp': {
      const out: MlpConfig = { kind: k, inputDim: posInt('inputDim'), hidden: posIntList('hidden', true), numClasses: posInt('numClasses') };
      const activation = oneOf('activation', ACTIVATIONS);
      if (activation) out.activation = activation;
      return out;
    }
    case 'cnn': {
      const shape = posIntList('inputShape', false);
      if (shape.length !== 3) fail('inputShape', `must be [channels, height, width], got ${show(c.inputShape)}`);
      const channels = posIntList('channels', false);
      const out: CnnConfig = { kind: k, inputShape: [shape[0], shape[1], shape[2]], channels, numClasses: posInt('numClasses') };
      if (c.kernel !== undefined) {
        out.kernel = posInt('kernel');
        if (out.kernel % 2 === 0) fail('kernel', `must be odd so that padding kernel/2 keeps the image size, got ${out.kernel}`);
      }
      const pool = oneOf('pool', POOLS);
      if (pool) out.pool = pool;
      if (c.hidden !== undefined) out.hidden = posIntList('hidden', true);
      const activation = oneOf('activation', ACTIVATIONS);
      if (activation) out.activation = activation;
      // Each stage halves H and W (floor); the last stage must leave at least one pixel.
      let [h, w] = [shape[1], shape[2]];
      channels.forEach((_, i) => {
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
        if (h === 0 || w === 0) {
          fail('channels', `${channels.length} conv/pool stages are too many for a ${shape[1]}x${shape[2]} input (stage ${i} pools it to ${h}x${w})`);
        }
      });
      return out;
    }
    case 'transformer': {
      const out: TransformerConfig = {
        kind: k,
        seqLen: posInt('seqLen'),
        tokenDim: posInt('tokenDim'),
        dModel: posInt('dModel'),
        heads: posInt('heads'),
        numClasses: posInt('numClasses'),
      };
      if (out.dModel % out.heads !== 0) fail('heads', `must divide dModel (${out.dModel}), got ${out.heads}`);
      if (c.mlpRatio !== undefined) {
        const r = c.mlpRatio;
        if (typeof r !== 'number' || !(r > 0) || !Number.isFinite(r)) fail('mlpRatio', `must be a positive number, got ${show(r)}`);
        const width = (r as number) * out.dModel;
        if (!Number.isInteger(width)) fail('mlpRatio', `times dModel (${out.dModel}) must be an integer MLP width, got ${width}`);
        out.mlpRatio = r as number;
      }
      return out;
    }
  }
}
