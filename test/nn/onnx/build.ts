import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import type { Tensor } from '../../../src/tensor/index.js';

// Builds small ONNX files in tests (no torch needed), with onnx-proto's encoder.

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };

export interface NodeSpec {
  op: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number>;
}

export function onnxBytes(o: { nodes: NodeSpec[]; initializers: Record<string, Tensor>; input: { name: string; dims: (number | string)[] }; output: { name: string; dims: (number | string)[] } }): Uint8Array {
  const info = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.DOUBLE, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'test',
      node: o.nodes.map((n, i) => ({
        opType: n.op, name: n.name ?? `${n.op}_${i}`, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.ints ?? {}).map(([name, i]) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i })),
      })),
      initializer: Object.entries(o.initializers).map(([name, t]) => ({
        name, dims: [...t.shape], dataType: onnx.TensorProto.DataType.DOUBLE, doubleData: Array.from(t.data),
      })),
      input: [info(o.input.name, o.input.dims)],
      output: [info(o.output.name, o.output.dims)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
