import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

// Reads an ONNX file into plain data: the graph's nodes with decoded attributes, its initializers
// and its inputs/outputs. Decoding is onnx-proto's (protobufjs); this module only converts its
// messages (int64 as Long, tensors as raw little-endian bytes or typed fields) into numbers.

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };

/** A constant tensor from the file: floating point (any width) as float64, integers as numbers. */
export interface OnnxConstant {
  kind: 'float' | 'int';
  shape: number[];
  data: Float64Array | number[];
}

export type AttrValue = number | number[] | string | string[] | OnnxConstant;

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface OnnxValueInfo {
  name: string;
  /** Static sizes; a symbolic or missing dimension is null. */
  shape: (number | null)[] | null;
}

export interface OnnxGraph {
  source: string;
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxConstant>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

const D = onnx.TensorProto.DataType;
const FLOAT_TYPES = new Set<number>([D.FLOAT, D.DOUBLE, D.FLOAT16]);
const INT_TYPES = new Set<number>([D.INT64, D.INT32, D.INT16, D.INT8, D.UINT8, D.BOOL]);

type LongLike = number | { toNumber(): number };
const num = (v: LongLike | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export function decodeTensor(t: OnnxNamespace.ITensorProto, where: string): OnnxConstant {
  const shape = (t.dims ?? []).map(num);
  const size = shape.reduce((a, b) => a * b, 1);
  const type = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`${where}: tensor "${t.name}" is stored in an external file; export with the weights inside the .onnx file`);
  }
  const raw = t.rawData && t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : null;
  const fromRaw = (bytes: number, read: (o: number) => number): number[] => {
    if (raw!.byteLength !== size * bytes) throw new Error(`${where}: tensor "${t.name}" has ${raw!.byteLength} bytes of data for shape [${shape}]`);
    return Array.from({ length: size }, (_, i) => read(i * bytes));
  };
  if (FLOAT_TYPES.has(type)) {
    let values: ArrayLike<number>;
    if (raw) {
      values = type === D.DOUBLE ? fromRaw(8, (o) => raw.getFloat64(o, true))
        : type === D.FLOAT ? fromRaw(4, (o) => raw.getFloat32(o, true))
        : fromRaw(2, (o) => halfToFloat(raw.getUint16(o, true)));
    } else {
      values = type === D.DOUBLE ? t.doubleData ?? [] : type === D.FLOAT ? t.floatData ?? [] : (t.int32Data ?? []).map(halfToFloat);
    }
    if (values.length !== size) throw new Error(`${where}: tensor "${t.name}" has ${values.length} values for shape [${shape}]`);
    return { kind: 'float', shape, data: Float64Array.from(values) };
  }
  if (INT_TYPES.has(type)) {
    let values: number[];
    if (raw) {
      values = type === D.INT64 ? fromRaw(8, (o) => Number(raw.getBigInt64(o, true)))
        : type === D.INT32 ? fromRaw(4, (o) => raw.getInt32(o, true))
        : type === D.INT16 ? fromRaw(2, (o) => raw.getInt16(o, true))
        : type === D.INT8 ? fromRaw(1, (o) => raw.getInt8(o))
        : fromRaw(1, (o) => raw.getUint8(o));
    } else {
      values = type === D.INT64 ? (t.int64Data ?? []).map(num) : (t.int32Data ?? []).map(num);
    }
    if (values.length !== size) throw new Error(`${where}: tensor "${t.name}" has ${values.length} values for shape [${shape}]`);
    return { kind: 'int', shape, data: values };
  }
  throw new Error(`${where}: tensor "${t.name}" has data type ${D[type] ?? type}, which is not supported (float, double, float16, integer and bool are)`);
}

function decodeAttr(a: OnnxNamespace.IAttributeProto, where: string): AttrValue {
  const A = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case A.FLOAT: return a.f ?? 0;
    case A.INT: return num(a.i as LongLike);
    case A.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case A.TENSOR: return decodeTensor(a.t!, `${where} attribute ${a.name}`);
    case A.FLOATS: return [...(a.floats ?? [])];
    case A.INTS: return (a.ints ?? []).map((v) => num(v as LongLike));
    case A.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default: throw new Error(`${where}: attribute "${a.name}" has type ${A[a.type ?? 0] ?? a.type}, which is not supported`);
  }
}

function valueInfo(v: OnnxNamespace.IValueInfoProto): OnnxValueInfo {
  const dims = v.type?.tensorType?.shape?.dim;
  return {
    name: v.name ?? '',
    shape: dims ? dims.map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? num(d.dimValue as LongLike) : null)) : null,
  };
}

export function parseOnnx(bytes: Uint8Array, source: string): OnnxGraph {
  let model: OnnxNamespace.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${source}: not a readable ONNX model (${(e as Error).message})`);
  }
  const g = model.graph;
  if (!g) throw new Error(`${source}: the ONNX model has no graph`);
  const opset = Math.max(0, ...model.opsetImport.filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => num(o.version as LongLike)));
  const initializers = new Map<string, OnnxConstant>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', decodeTensor(t, source));
  const nodes = (g.node ?? []).map((n, i): OnnxNode => {
    const name = n.name || `#${i}`;
    const where = `${source}: node "${name}" (${n.opType})`;
    return {
      name, opType: n.opType ?? '', domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])],
      attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', decodeAttr(a, where)])),
    };
  });
  return { source, opset, nodes, initializers, inputs: (g.input ?? []).map(valueInfo), outputs: (g.output ?? []).map(valueInfo) };
}

export function readOnnxFile(path: string): OnnxGraph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read the ONNX file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseOnnx(bytes, path);
}
