import type { DType, Tensor } from '../../tensor/index.js';
import { CONVERTERS } from './ops/index.js';
import type { OnnxGraph } from './proto.js';
import { constantValue, OnnxOpError, type Value } from './values.js';

// The generic graph walker: nodes run in file order (ONNX requires topological order), each
// through its converter from the table. It knows no op.

/** Throws naming every node whose op type has no converter, before anything runs. */
export function checkSupported(graph: OnnxGraph): void {
  const bad = graph.nodes.filter((n) => (n.domain !== '' && n.domain !== 'ai.onnx') || !Object.hasOwn(CONVERTERS, n.opType));
  if (bad.length === 0) return;
  const list = bad.slice(0, 5).map((n) => `node "${n.name}" (${n.domain ? `${n.domain}.` : ''}${n.opType})`).join(', ');
  throw new Error(`${graph.source}: unsupported ONNX op${bad.length > 1 ? 's' : ''}: ${list}${bad.length > 5 ? `, and ${bad.length - 5} more` : ''}. Supported: ${Object.keys(CONVERTERS).sort().join(', ')}`);
}

/**
 * Evaluates the graph. `bound` holds the graph input and the parameters (by initializer name);
 * other initializers are constants. Returns the value of each requested output.
 */
export function runGraph(graph: OnnxGraph, bound: Map<string, Tensor>, outputs: string[], dtype: DType): Value[] {
  const env = new Map<string, Value>();
  for (const [name, c] of graph.initializers) if (!bound.has(name)) env.set(name, constantValue(c, dtype));
  for (const [name, t] of bound) env.set(name, t);
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = env.get(name);
      if (v === undefined) throw new OnnxOpError(node, `input "${name}" is not produced by any earlier node`);
      return v;
    });
    const ctx = { node, dtype, opset: graph.opset };
    let out: Value | (Value | undefined)[];
    try {
      out = CONVERTERS[node.opType](inputs, ctx);
    } catch (e) {
      if (e instanceof OnnxOpError) throw e;
      throw new OnnxOpError(node, (e as Error).message);
    }
    const outs = Array.isArray(out) ? out : [out];
    node.outputs.forEach((name, i) => {
      if (name !== '' && outs[i] !== undefined) env.set(name, outs[i]!);
    });
  }
  return outputs.map((name) => {
    const v = env.get(name);
    if (v === undefined) throw new Error(`${graph.source}: graph output "${name}" is never computed`);
    return v;
  });
}
