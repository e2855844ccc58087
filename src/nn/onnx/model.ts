import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as T from '../../autodiff/index.js';
import { allocate, fromData, ShapeError, shapeStr, sizeOf, Tensor, type DType } from '../../tensor/index.js';
import type { OnnxModelConfig } from '../config.js';
import { checkParams, type Model, type ParamSpec } from '../model.js';
import { checkSupported, runGraph } from './graph.js';
import { readOnnxFile, type OnnxGraph } from './proto.js';

// An ONNX graph as a stagecredit Model: a pure function of the named parameters (the graph's
// trainable initializers, named as torch's state_dict), differentiable to any order by our own
// autodiff because every node maps onto our ops.

export interface OnnxModelOptions {
  /** Directory a relative `file` is resolved against (the manifest's or run's directory). */
  baseDir?: string;
}

const cache = new Map<string, { mtimeMs: number; graph: OnnxGraph }>();

function loadGraph(path: string): OnnxGraph {
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    // readOnnxFile reports the missing file with its path.
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.graph;
  const graph = readOnnxFile(path);
  checkSupported(graph);
  cache.set(path, { mtimeMs, graph });
  return graph;
}

export function createOnnxModel(config: OnnxModelConfig, opts: OnnxModelOptions = {}): Model {
  const path = isAbsolute(config.file) ? config.file : resolve(opts.baseDir ?? '.', config.file);
  const graph = loadGraph(path);
  const where = `${path}`;
  const floatInits = [...graph.initializers].filter(([, c]) => c.kind === 'float').map(([name]) => name);
  const names = config.parameters ?? floatInits;
  const params: ParamSpec[] = names.map((name) => {
    const c = graph.initializers.get(name);
    if (!c) throw new Error(`${where}: parameter "${name}" is not an initializer of the graph (initializers: ${floatInits.join(', ')})`);
    if (c.kind !== 'float') throw new Error(`${where}: parameter "${name}" is not floating point`);
    return { name, shape: [...c.shape] };
  });
  const paramNames = new Set(names);
  const graphInputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (graphInputs.length !== 1) throw new Error(`${where}: expected exactly one graph input (the batch of examples), found ${graphInputs.length}: ${graphInputs.map((i) => i.name).join(', ')}`);
  const inputInfo = graphInputs[0];
  const dims = inputInfo.shape;
  if (!dims || dims.length < 2 || dims.slice(1).some((d) => d === null)) {
    throw new Error(`${where}: input "${inputInfo.name}" must have shape [batch, ...] with static per-example sizes, got [${dims?.map((d) => d ?? '?') ?? 'unknown'}]`);
  }
  const inputShape = dims.slice(1) as number[];
  if (graph.outputs.length < 1) throw new Error(`${where}: the graph has no output`);
  const output = graph.outputs[0];
  const outDims = output.shape;
  const numClasses = outDims && outDims.length === 2 ? outDims[1] : null;
  if (numClasses === null) throw new Error(`${where}: output "${output.name}" must be logits of shape [batch, classes] with a static class count, got [${outDims?.map((d) => d ?? '?') ?? 'unknown'}]`);
  const perExample = sizeOf(inputShape);

  const model: Model = {
    kind: 'onnx',
    config,
    params,
    inputShape,
    numClasses,
    /** The initializers' values as stored in the file (the exported model's weights); rng is unused. */
    init(_rng, dtype: DType = 'float64'): Tensor[] {
      return names.map((name) => {
        const c = graph.initializers.get(name)!;
        const data = allocate(dtype, c.data.length);
        data.set(c.data);
        return fromData(data, c.shape);
      });
    },
    forward(ps: Tensor[], x: Tensor): Tensor {
      checkParams(model, ps);
      if (!(x instanceof Tensor)) throw new TypeError('onnx.forward: x must be a Tensor');
      if (x.rank < 2 || sizeOf(x.shape.slice(1)) !== perExample) {
        throw new ShapeError('onnx.forward', `input ${shapeStr(x.shape)} is not a batch of examples of shape ${shapeStr(inputShape)}`);
      }
      const bound = new Map<string, Tensor>([[inputInfo.name, T.reshape(x, [x.shape[0], ...inputShape])]]);
      names.forEach((n, i) => bound.set(n, ps[i]));
      const [out] = runGraph(graph, bound, [output.name], ps[0]?.dtype ?? x.dtype);
      if (!(out instanceof Tensor) || out.rank !== 2 || out.shape[1] !== numClasses) {
        throw new ShapeError('onnx.forward', `output "${output.name}" has shape ${shapeStr(out.shape)}, expected [${x.shape[0]}, ${numClasses}]`);
      }
      return out;
    },
  };
  if (paramNames.size !== names.length) throw new Error(`${where}: a parameter is listed twice`);
  return model;
}
