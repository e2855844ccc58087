import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** An IDX array of unsigned bytes (the format of the MNIST-family files). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses IDX: two zero bytes, a type byte (0x08 = unsigned byte, the only one used by the
 * MNIST family), the number of dimensions, then big-endian uint32 sizes and the values.
 */
export function parseIdx(bytes: Uint8Array, label = 'IDX data'): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${label}: not an IDX file (bad magic)`);
  if (bytes[2] !== 0x08) throw new Error(`${label}: IDX type 0x${(bytes[2] ?? 0).toString(16)} unsupported (only unsigned byte)`);
  const rank = bytes[3] as number;
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new Error(`${label}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new Error(`${label}: IDX body has ${bytes.length - header} bytes, dims [${dims}] need ${size}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic. */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseIdx(bytes, path);
}
