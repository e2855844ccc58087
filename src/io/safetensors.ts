// The safetensors file format, implemented from its public description:
//   [u64 little-endian N][N bytes of UTF-8 JSON header][byte buffer]
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]} (offsets relative to
// the byte buffer) plus an optional "__metadata__" object of string values. Tensors must cover
// the byte buffer exactly, without overlaps or holes. Element data is little-endian.
//
// Reading validates the whole header before any tensor data is touched, and copies every tensor
// into a fresh, aligned typed array: results never alias the input (or Node's Buffer pool).
//
// Array types per dtype:  F64 Float64Array · F32 Float32Array · I32 Int32Array · U8 Uint8Array ·
// I64 BigInt64Array (lossless; no range limit) · F16 and BF16 Float32Array (widened when read,
// rounded to nearest-even when written).
import { writeFileAtomic } from './atomicWrite.js';
import { jsonDepthExceeds, readFileBounded, sha256Hex } from './boundedRead.js';

export type StDType = 'F64' | 'F32' | 'I32' | 'I64' | 'U8' | 'F16' | 'BF16';

export type StTensor =
  | { dtype: 'F64'; shape: number[]; data: Float64Array }
  | { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Float32Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array };

export interface SafetensorsContents {
  tensors: Record<string, StTensor>;
  /** The "__metadata__" object; empty when the file has none. */
  metadata: Record<string, string>;
}

/** Real readers cap the header too; a larger value means a corrupt or hostile file. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** A malformed file (reading) or unwritable tensor set (writing). `source` names the file. */
export class SafetensorsError extends Error {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'SafetensorsError';
    this.source = source;
  }
}

interface DTypeInfo {
  /** Bytes per element in the file. */
  size: number;
  /** The in-memory array class (F16/BF16 widen to Float32Array). */
  array: { new (buffer: ArrayBuffer): ArrayBufferView; readonly name: string };
}

const DTYPES: Record<StDType, DTypeInfo> = {
  F64: { size: 8, array: Float64Array },
  F32: { size: 4, array: Float32Array },
  I32: { size: 4, array: Int32Array },
  I64: { size: 8, array: BigInt64Array },
  U8: { size: 1, array: Uint8Array },
  F16: { size: 2, array: Float32Array },
  BF16: { size: 2, array: Float32Array },
};

export const ST_DTYPES: readonly StDType[] = Object.keys(DTYPES) as StDType[];

export function isStDType(x: unknown): x is StDType {
  return typeof x === 'string' && Object.hasOwn(DTYPES, x);
}

const METADATA_KEY = '__metadata__';
const DEFAULT_READ_SOURCE = '<safetensors bytes>';
const DEFAULT_WRITE_TARGET = '<safetensors output>';
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Serialises tensors (in name order, contiguous, header space-padded so the byte buffer starts
 * at a multiple of 8). `target` only labels error messages.
 */
export function encodeSafetensors(
  tensors: Record<string, StTensor>,
  metadata: Record<string, string> = {},
  target: string = DEFAULT_WRITE_TARGET,
): Uint8Array {
  const fail = (problem: string): never => {
    throw new SafetensorsError(target, problem);
  };
  checkMetadata(metadata, fail);

  // Default sort compares UTF-16 code units: deterministic and locale-independent.
  const names = Object.keys(tensors).sort();
  const entries: string[] = [];
  if (Object.keys(metadata).length > 0) entries.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '') fail('tensor names must be non-empty');
    if (name === METADATA_KEY) fail(`tensor name "${METADATA_KEY}" is reserved for metadata`);
    const t = tensors[name];
    const where = `tensor ${JSON.stringify(name)}`;
    if (t === null || typeof t !== 'object') fail(`${where}: expected {dtype, shape, data}, got ${describe(t)}`);
    if (!isStDType(t.dtype)) fail(`${where}: unknown dtype ${describe(t.dtype)} (supported: ${ST_DTYPES.join(', ')})`);
    if (!isShape(t.shape)) fail(`${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`);
    const info = DTYPES[t.dtype];
    if (!(t.data instanceof info.array)) {
      fail(`${where}: dtype ${t.dtype} needs a ${info.array.name}, got ${describeArray(t.data)}`);
    }
    const count = product(t.shape);
    if (t.data.length !== count) {
      fail(`${where}: data has ${t.data.length} elements but shape ${shapeText(t.shape)} needs ${count}`);
    }
    const bytes = toFileBytes(t);
    payloads.push(bytes);
    // Built by hand: JSON.stringify of one object would hoist integer-like names to the front.
    entries.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":${JSON.stringify(t.shape)},` +
        `"data_offsets":[${offset},${offset + bytes.byteLength}]}`,
    );
    offset += bytes.byteLength;
  }

  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.byteLength / 8) * 8; // 8 + headerLength is then 8-aligned
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) {
    fail(`header would be ${headerLength} bytes, over the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit readers enforce`);
  }
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let at = 8 + headerLength;
  for (const p of payloads) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** encodeSafetensors + writeFileAtomic. Errors name `path`. Returns the sha256 of the bytes written. */
export function writeSafetensors(path: string, tensors: Record<string, StTensor>, metadata?: Record<string, string>): string {
  const bytes = encodeSafetensors(tensors, metadata, path);
  writeFileAtomic(path, bytes);
  return sha256Hex(bytes);
}

function checkMetadata(metadata: unknown, fail: (problem: string) => never): asserts metadata is Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    fail(`${METADATA_KEY} must be an object of strings, got ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata as object)) {
    if (typeof v !== 'string') fail(`${METADATA_KEY} value for key ${JSON.stringify(k)} must be a string, got ${describe(v)}`);
  }
}

/** The tensor's elements as little-endian file bytes (a view when no conversion is needed). */
function toFileBytes(t: StTensor): Uint8Array {
  if (t.dtype === 'F16' || t.dtype === 'BF16') {
    const convert = t.dtype === 'F16' ? floatToHalfBits : floatToBFloat16Bits;
    const bits = new Uint16Array(t.data.length);
    for (let i = 0; i < bits.length; i++) bits[i] = convert(t.data[i]);
    return littleEndianBytes(bits, 2);
  }
  return littleEndianBytes(t.data, DTYPES[t.dtype].size);
}

function littleEndianBytes(data: ArrayBufferView, size: number): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || size === 1) return view;
  const copy = view.slice();
  swapBytes(copy, size);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Entry {
  name: string;
  dtype: StDType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses a safetensors image. `source` (e.g. the file path) prefixes every error message. */
export function decodeSafetensors(bytes: Uint8Array, source: string = DEFAULT_READ_SOURCE): SafetensorsContents {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(n);
  if (headerLength > bytes.byteLength - 8) {
    fail(`header length ${headerLength} runs past the end of the file (${bytes.byteLength - 8} bytes follow the length prefix)`);
  }
  const dataStart = 8 + headerLength;
  const bufferLength = bytes.byteLength - dataStart;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail('header is not valid UTF-8');
  }
  let header: unknown;
  // Entries are two levels deep; anything much deeper is hostile, not a header.
  if (jsonDepthExceeds(text, 8)) fail('header JSON is nested deeper than 8 levels');
  try {
    header = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message); // V8 quotes the text; keep only where
    return fail(`header is not valid JSON${at ? ` (error at character ${at[1]})` : ' (malformed or truncated)'}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(`header must be a JSON object, got ${describe(header)}`);
  }

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as object)) {
    if (name === METADATA_KEY) {
      if (raw !== null) checkMetadata(raw, fail); // null is how some writers say "none"
      metadata = Object.fromEntries(Object.entries(raw ?? {})) as Record<string, string>;
    } else {
      entries.push(checkEntry(name, raw, bufferLength, fail));
    }
  }
  checkCoverage(entries, bufferLength, fail);

  // Only now, with every offset proven in range, is tensor data read.
  const data = bytes.subarray(dataStart);
  // fromEntries defines own properties, so a tensor named "__proto__" cannot reach the prototype.
  const tensors = Object.fromEntries(entries.map((e) => [e.name, readTensor(e, data)])) as Record<string, StTensor>;
  return { tensors, metadata };
}

/** A bounded read of a regular file + decodeSafetensors; errors name `path`. */
export function readSafetensors(path: string): SafetensorsContents {
  return decodeSafetensors(readFileBounded(path), path);
}

function checkEntry(name: string, raw: unknown, bufferLength: number, fail: (problem: string) => never): Entry {
  const where = `tensor ${JSON.stringify(name)}`;
  // The encoder refuses an empty name; accepting it here would make a file we cannot write back.
  if (name === '') fail('tensor names must be non-empty');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where}: entry must be an object, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (!isStDType(dtype)) fail(`${where}: unknown dtype ${describe(dtype)} (supported: ${ST_DTYPES.join(', ')})`);
  if (!isShape(shape)) fail(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every(isNonNegativeInteger) ||
    (offsets[0] as number) > (offsets[1] as number)
  ) {
    fail(`${where}: data_offsets must be two non-negative integers [begin, end] with begin <= end, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const s = shape as number[];
  const d = dtype as StDType;
  const expected = product(s) * DTYPES[d].size;
  if (end - begin !== expected) {
    fail(`${where}: expected ${expected} bytes (shape ${shapeText(s)} of ${d}) but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  if (end > bufferLength) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the ${bufferLength}-byte data buffer`);
  return { name, dtype: d, shape: s.slice(), begin, end };
}

/** The format requires tensors to tile the byte buffer exactly. */
function checkCoverage(entries: Entry[], bufferLength: number, fail: (problem: string) => never): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < covered && last) {
      fail(`tensors ${JSON.stringify(last.name)} [${last.begin}, ${last.end}] and ${JSON.stringify(e.name)} [${e.begin}, ${e.end}] overlap`);
    }
    if (e.begin > covered) fail(`data buffer bytes [${covered}, ${e.begin}) are not covered by any tensor`);
    covered = e.end;
    last = e;
  }
  if (covered < bufferLength) fail(`data buffer bytes [${covered}, ${bufferLength}) are not covered by any tensor`);
}

function readTensor(e: Entry, data: Uint8Array): StTensor {
  const { size } = DTYPES[e.dtype];
  // A fresh buffer at offset 0: aligned for any element size and detached from the input.
  const bytes = new Uint8Array(e.end - e.begin);
  bytes.set(data.subarray(e.begin, e.end));
  if (!LITTLE_ENDIAN_HOST && size > 1) swapBytes(bytes, size);
  const shape = e.shape;
  switch (e.dtype) {
    case 'F64':
      return { dtype: 'F64', shape, data: new Float64Array(bytes.buffer) };
    case 'F32':
      return { dtype: 'F32', shape, data: new Float32Array(bytes.buffer) };
    case 'I32':
      return { dtype: 'I32', shape, data: new Int32Array(bytes.buffer) };
    case 'I64':
      return { dtype: 'I64', shape, data: new BigInt64Array(bytes.buffer) };
    case 'U8':
      return { dtype: 'U8', shape, data: bytes };
    case 'F16':
    case 'BF16': {
      const bits = new Uint16Array(bytes.buffer);
      const out = new Float32Array(bits.length);
      const widen = e.dtype === 'F16' ? halfBitsToFloat : bfloat16BitsToFloat;
      for (let i = 0; i < bits.length; i++) out[i] = widen(bits[i]);
      return { dtype: e.dtype, shape, data: out };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 16-bit floats

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits to a number (exact: every half is a float32). NaN payloads are not kept. */
function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** A float32 value to binary16 bits, rounding to nearest, ties to even; overflow gives ±Inf. */
function floatToHalfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00; // NaN (quiet)
  if (abs >= 0x477ff000) return sign | 0x7c00; // >= 65520 rounds to Inf (65504 is the largest half)
  if (abs >= 0x38800000) {
    // Normal half: rebias the exponent (127 -> 15) and drop 13 mantissa bits with RNE. A carry
    // out of the mantissa correctly bumps the exponent.
    const v = abs - 0x38000000;
    const kept = v >>> 13;
    const rest = v & 0x1fff;
    return sign | (kept + (rest > 0x1000 || (rest === 0x1000 && kept & 1) ? 1 : 0));
  }
  // Subnormal half (or zero): count units of 2^-24, exact in double arithmetic.
  const units = Math.abs(f32[0]) * 2 ** 24;
  let m = Math.floor(units);
  const frac = units - m;
  if (frac > 0.5 || (frac === 0.5 && m & 1)) m++;
  return sign | m; // m may reach 0x400, which is exactly the smallest normal
}

/** bfloat16 is the top half of a float32. */
function bfloat16BitsToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

function floatToBFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // NaN: keep it a (quiet) NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff; // RNE; overflow carries to Inf
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isNonNegativeInteger(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every(isNonNegativeInteger);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** A short rendering of an offending value for error messages; never throws. */
function describe(x: unknown): string {
  let text: string;
  try {
    text = typeof x === 'bigint' ? `${x}n` : (JSON.stringify(x) ?? String(x));
  } catch {
    text = Object.prototype.toString.call(x); // cyclic objects, nested BigInts
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeArray(x: unknown): string {
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  if (Array.isArray(x)) return 'a plain Array';
  return describe(x);
}
