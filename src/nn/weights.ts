import { fromData, shapeStr, type DType, type Tensor } from '../tensor/index.js';
import { readSafetensors, writeSafetensors, type SafetensorsContents, type StTensor } from '../io/safetensors.js';
import { validateModelConfig, type ModelConfig } from './config.js';
import { modelIdentity } from './create.js';
import { checkParams, type Model } from './model.js';

// Parameters <-> safetensors, under the torch state_dict names of model.params, so a file
// written here loads into the equivalent torch module (and back) with load_state_dict.

/** Metadata key holding the model config as JSON, so a file says what model it belongs to. */
export const MODEL_CONFIG_KEY = 'stagecredit.model';

/** A weight file that does not fit the model; the message lists every problem found. */
export class WeightsError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.name = 'WeightsError';
    this.problems = problems;
  }
}

/** Tensors named as model.params (F64 or F32 per tensor dtype, copied) plus the config in the metadata. */
export function paramsToSafetensors(model: Model, params: Tensor[], metadata: Record<string, string> = {}): SafetensorsContents {
  checkParams(model, params, 'paramsToSafetensors');
  const tensors: Record<string, StTensor> = {};
  model.params.forEach((spec, i) => {
    const p = params[i];
    tensors[spec.name] =
      p.dtype === 'float64'
        ? { dtype: 'F64', shape: [...spec.shape], data: Float64Array.from(p.data) }
        : { dtype: 'F32', shape: [...spec.shape], data: Float32Array.from(p.data) };
  });
  return { tensors, metadata: { ...metadata, [MODEL_CONFIG_KEY]: JSON.stringify(model.config) } };
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * The model's parameter list from a safetensors file (or its tensors), in model.params order and
 * converted to `dtype`. Every name and shape is checked; all problems are reported together:
 * missing names, unexpected names, shape mismatches and non-float tensors.
 */
export function paramsFromSafetensors(
  model: Model,
  file: SafetensorsContents | Record<string, StTensor>,
  dtype: DType = 'float64',
  source = 'weights',
): Tensor[] {
  const tensors = isContents(file) ? file.tensors : file;
  const problems: string[] = [];
  // Same shapes do not mean same model (an MLP with relu and one with tanh): compare the
  // config the file was written with, when it says.
  if (isContents(file)) {
    const stored = configFromSafetensors(file, source);
    if (stored !== undefined) {
      if (modelIdentity(stored) !== modelIdentity(model.config)) {
        problems.push(`written for model ${JSON.stringify(stored)}, loading into ${JSON.stringify(model.config)}`);
      }
    }
  }
  const expected = new Set(model.params.map((p) => p.name));
  const missing = model.params.filter((p) => !Object.hasOwn(tensors, p.name)).map((p) => p.name);
  const unexpected = Object.keys(tensors).filter((n) => !expected.has(n));
  if (missing.length) problems.push(`missing tensors for ${model.kind} model: ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`unexpected tensors (not parameters of the ${model.kind} model): ${unexpected.join(', ')}`);
  for (const spec of model.params) {
    const t = tensors[spec.name];
    if (!Object.hasOwn(tensors, spec.name)) continue;
    if (!FLOAT_DTYPES.has(t.dtype)) problems.push(`tensor ${spec.name}: dtype ${t.dtype} is not a float type (F64, F32, F16, BF16)`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      problems.push(`tensor ${spec.name}: shape ${shapeStr(t.shape)}, expected ${shapeStr(spec.shape)}`);
    }
  }
  if (problems.length) throw new WeightsError(source, problems);
  return model.params.map((spec) => {
    const data = tensors[spec.name].data as Float64Array | Float32Array;
    return fromData(dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), spec.shape);
  });
}

function isContents(x: SafetensorsContents | Record<string, StTensor>): x is SafetensorsContents {
  const c = x as Partial<SafetensorsContents>;
  // A tensor record never has a 'tensors' entry without a dtype: StTensors always carry one.
  return typeof c.tensors === 'object' && c.tensors !== null && typeof c.metadata === 'object' && !('dtype' in c.tensors);
}

/** The model config stored in a file's metadata by paramsToSafetensors, validated; undefined if absent. */
export function configFromSafetensors(file: SafetensorsContents, source = 'weights'): ModelConfig | undefined {
  const raw = file.metadata[MODEL_CONFIG_KEY];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new WeightsError(source, [`metadata ${MODEL_CONFIG_KEY} is not valid JSON (${(e as Error).message})`]);
  }
  return validateModelConfig(parsed, `${source} metadata ${MODEL_CONFIG_KEY}`);
}

/** Writes params to a .safetensors file (atomically). */
export function saveParams(path: string, model: Model, params: Tensor[], metadata?: Record<string, string>): void {
  const { tensors, metadata: meta } = paramsToSafetensors(model, params, metadata);
  writeSafetensors(path, tensors, meta);
}

/** Reads params for `model` from a .safetensors file; errors name the path. */
export function loadParams(path: string, model: Model, dtype: DType = 'float64'): Tensor[] {
  return paramsFromSafetensors(model, readSafetensors(path), dtype, path);
}
