import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
  type StTensor,
} from '../../src/io/index.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';

const dir = mkdtempSync(join(tmpdir(), 'stagecredit-st-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Helpers that build bytes straight from the spec, independently of the code under test.

function u64le(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Math.floor(n / 2 ** (8 * i)) % 256);
  return out;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

/** A file whose header is exactly `header` (no padding added) followed by `data`. */
function rawFile(header: string, data: number[] | Uint8Array = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  return new Uint8Array([...u64le(h.length), ...h, ...data]);
}

const SRC = 'bad.safetensors';

function rejects(bytes: Uint8Array, message: string | RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, SRC),
    (err: unknown) => {
      assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
      assert.equal(err.source, SRC);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

function writerRejects(tensors: Record<string, unknown>, message: string, metadata?: unknown): void {
  assert.throws(
    () => encodeSafetensors(tensors as Record<string, StTensor>, metadata as Record<string, string>, 'out.safetensors'),
    (err: unknown) => {
      assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
      assert.equal(err.message, message);
      return true;
    },
  );
}

/** Element-wise SameValue: NaN equals NaN, -0 differs from 0. */
function assertSameValues(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${label}[${i}]: got ${String(actual[i])}, expected ${String(expected[i])}`);
  }
}

function headerOf(bytes: Uint8Array): { length: number; json: string } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: new TextDecoder().decode(bytes.subarray(8, 8 + length)) };
}

const f16 = (data: number[]) => new Float32Array(data);

// ---------------------------------------------------------------------------------------------
// Format

test('encode is byte-exact against a file built by hand from the spec', () => {
  const bytes = encodeSafetensors(
    { b: { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2]) }, a: { dtype: 'I32', shape: [], data: new Int32Array([7]) } },
    { format: 'pt' },
  );
  const header =
    '{"__metadata__":{"format":"pt"},' +
    '"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},' +
    '"b":{"dtype":"F64","shape":[2],"data_offsets":[4,20]}}';
  assert.equal(header.length, 138);
  const expected = new Uint8Array([
    ...[144, 0, 0, 0, 0, 0, 0, 0], // header length: 138 bytes of JSON + 6 spaces, so data starts at 152 = 19 * 8
    ...ascii(header),
    ...ascii('      '),
    ...[7, 0, 0, 0], // a = 7, i32 LE
    ...[0, 0, 0, 0, 0, 0, 0xf8, 0x3f], // 1.5 = 0x3FF8000000000000
    ...[0, 0, 0, 0, 0, 0, 0, 0xc0], // -2 = 0xC000000000000000
  ]);
  assert.deepEqual(bytes, expected);
  const back = decodeSafetensors(expected);
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(back.tensors.a, { dtype: 'I32', shape: [], data: new Int32Array([7]) });
  assert.deepEqual(back.tensors.b, { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2]) });
});

test('every dtype round-trips, including scalars and zero-size tensors', () => {
  const tensors: Record<string, StTensor> = {
    f64: { dtype: 'F64', shape: [2, 3], data: new Float64Array([NaN, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308]) },
    f32: { dtype: 'F32', shape: [4], data: new Float32Array([Math.fround(0.1), -0, NaN, 3.4028234663852886e38]) },
    i32: { dtype: 'I32', shape: [3, 1], data: new Int32Array([-(2 ** 31), 0, 2 ** 31 - 1]) },
    i64: { dtype: 'I64', shape: [2, 2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -1n]) },
    u8: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
    // Values exactly representable in the 16-bit formats, so the round trip is exact.
    f16: { dtype: 'F16', shape: [8], data: f16([1, -2.5, 65504, 2 ** -24, -0, Infinity, NaN, 2 ** -14]) },
    bf16: { dtype: 'BF16', shape: [7], data: f16([1.5, -(2 ** 100), 3.3895313892515355e38, 2 ** -133, -0, -Infinity, NaN]) },
    s_f64: { dtype: 'F64', shape: [], data: new Float64Array([3.25]) },
    s_f32: { dtype: 'F32', shape: [], data: new Float32Array([-1]) },
    s_i32: { dtype: 'I32', shape: [], data: new Int32Array([42]) },
    s_i64: { dtype: 'I64', shape: [], data: new BigInt64Array([-5n]) },
    s_u8: { dtype: 'U8', shape: [], data: new Uint8Array([9]) },
    s_f16: { dtype: 'F16', shape: [], data: f16([0.5]) },
    s_bf16: { dtype: 'BF16', shape: [], data: f16([-0.25]) },
    z_f64: { dtype: 'F64', shape: [0], data: new Float64Array(0) },
    z_f32: { dtype: 'F32', shape: [2, 0, 3], data: new Float32Array(0) },
    z_i32: { dtype: 'I32', shape: [0, 4], data: new Int32Array(0) },
    z_i64: { dtype: 'I64', shape: [0], data: new BigInt64Array(0) },
    z_u8: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
    z_f16: { dtype: 'F16', shape: [0], data: new Float32Array(0) },
    z_bf16: { dtype: 'BF16', shape: [3, 0], data: new Float32Array(0) },
  };
  const bytes = encodeSafetensors(tensors);
  const { tensors: back, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, {});
  assert.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const r = back[name];
    assert.equal(r.dtype, t.dtype, name);
    assert.deepEqual(r.shape, t.shape, name);
    assert.equal(r.data.constructor, t.data.constructor, `${name}: array type`);
    assertSameValues(r.data, t.data, name);
  }
  // Encoding the decoded tensors reproduces the file byte for byte.
  assert.deepEqual(encodeSafetensors(back), bytes);
});

test('decoded arrays are fresh copies, aligned even when the data in the file is not', () => {
  // Header of odd length and no padding: the F64 data starts at an odd file offset.
  const header = '{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"y":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}} ';
  assert.equal(header.length % 2, 1);
  const file = rawFile(header, [
    ...[0, 0, 0, 0, 0, 0, 0xf0, 0x3f], // 1
    ...[0, 0, 0, 0, 0, 0, 0x08, 0x40], // 3
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // 2^63 - 1
  ]);
  // Also place the whole image at an odd offset inside a larger buffer.
  const backing = new Uint8Array(file.length + 3);
  backing.set(file, 3);
  const input = backing.subarray(3);
  const { tensors } = decodeSafetensors(input);
  const { x, y } = tensors;
  assert.equal(x.data.byteOffset, 0);
  assert.equal(x.data.byteLength, x.data.buffer.byteLength, 'own buffer, not a slice of the input');
  assertSameValues(x.data, [1, 3], 'x');
  assertSameValues(y.data, [2n ** 63n - 1n], 'y');
  input.fill(0);
  assertSameValues(x.data, [1, 3], 'x after clobbering the input');
});

test('the header is space-padded so the data starts at a multiple of 8', () => {
  for (let len = 1; len <= 16; len++) {
    const name = 'n'.repeat(len);
    const bytes = encodeSafetensors({ [name]: { dtype: 'U8', shape: [1], data: new Uint8Array([len]) } });
    const { length, json } = headerOf(bytes);
    assert.equal((8 + length) % 8, 0, `name length ${len}`);
    const trimmed = json.trimEnd();
    assert.equal(json, trimmed + ' '.repeat(length - trimmed.length), 'padding is spaces only');
    assert.ok(length - trimmed.length < 8, 'no more padding than needed');
    assert.equal(bytes[8 + length], len, 'the single byte of data follows the padding');
    assert.equal(bytes.length, 8 + length + 1);
  }
});

test('tensors are laid out contiguously in name order', () => {
  const t = (n: number): StTensor => ({ dtype: 'U8', shape: [n], data: new Uint8Array(n).fill(n) });
  const bytes = encodeSafetensors({ b: t(2), '10': t(3), a: t(1), '9': t(4), 'é': t(5) });
  const header = JSON.parse(headerOf(bytes).json) as Record<string, { data_offsets: [number, number] }>;
  const order = Object.entries(header)
    .sort((p, q) => p[1].data_offsets[0] - q[1].data_offsets[0])
    .map(([k, v]) => [k, ...v.data_offsets]);
  assert.deepEqual(order, [
    ['10', 0, 3],
    ['9', 3, 7],
    ['a', 7, 8],
    ['b', 8, 10],
    ['é', 10, 15],
  ]);
});

test('metadata round-trips, and empty metadata is omitted from the header', () => {
  const metadata = { format: 'pt', note: 'ünïcödé ✓ "quoted"\n', empty: '', __proto__x: 'y', '0': 'zero' };
  const tensors: Record<string, StTensor> = { w: { dtype: 'F32', shape: [1], data: new Float32Array([2]) } };
  assert.deepEqual(decodeSafetensors(encodeSafetensors(tensors, metadata)).metadata, metadata);
  assert.ok(!headerOf(encodeSafetensors(tensors, {})).json.includes('__metadata__'));
  assert.ok(!headerOf(encodeSafetensors(tensors)).json.includes('__metadata__'));
  // A file may also say "no metadata" with null.
  const file = rawFile('{"__metadata__":null,"w":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}', [5]);
  assert.deepEqual(decodeSafetensors(file).metadata, {});
});

test('an empty tensor set round-trips', () => {
  const bytes = encodeSafetensors({});
  assert.deepEqual(bytes, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')]));
  assert.deepEqual(decodeSafetensors(bytes), { tensors: {}, metadata: {} });
});

test('a tensor named __proto__ stays an ordinary entry', () => {
  const file = rawFile('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [7]);
  const { tensors } = decodeSafetensors(file);
  assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  assert.deepEqual(Object.keys(tensors), ['__proto__']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(tensors, '__proto__')?.value.data, new Uint8Array([7]));
});

test('F16 and BF16 are written rounded to nearest, ties to even', () => {
  const halfCases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff], // largest half
    [65519, 0x7bff], // rounds down
    [65520, 0x7c00], // halfway above the largest half: rounds to Inf
    [1e6, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -14 - 2 ** -25, 0x0400], // largest-subnormal + half unit: tie rounds up into the normals
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 units: even is 2
    [1 + 2 ** -11, 0x3c00], // tie: even mantissa 0
    [1 + 3 * 2 ** -11, 0x3c02], // tie: even mantissa 2
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [1e-10, 0x0000],
    [-0, 0x8000],
    [-Infinity, 0xfc00],
    [NaN, 0x7e00],
  ];
  const bf16Cases: [number, number][] = [
    [1, 0x3f80],
    [1 + 2 ** -8, 0x3f80], // tie: even
    [1 + 3 * 2 ** -8, 0x3f82], // tie: even
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [3.4028234663852886e38, 0x7f80], // largest float32 rounds to Inf
    [-0, 0x8000],
    [Infinity, 0x7f80],
    [2 ** -133, 0x0001],
  ];
  for (const [dtype, cases] of [
    ['F16', halfCases],
    ['BF16', bf16Cases],
  ] as const) {
    const bytes = encodeSafetensors({ x: { dtype, shape: [cases.length], data: f16(cases.map((c) => c[0])) } });
    const start = 8 + headerOf(bytes).length;
    cases.forEach(([value, bits], i) => {
      const got = bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8);
      assert.equal(got.toString(16), bits.toString(16), `${dtype}(${value})`);
    });
  }
  // A BF16 NaN stays a NaN (payload is not specified).
  const nan = decodeSafetensors(encodeSafetensors({ x: { dtype: 'BF16', shape: [1], data: f16([NaN]) } })).tensors.x.data;
  assert.ok(Number.isNaN(nan[0]));
});

test('writeSafetensors and readSafetensors go through a file', () => {
  const path = join(dir, 'rt.safetensors');
  writeSafetensors(path, { w: { dtype: 'F64', shape: [1, 2], data: new Float64Array([0.25, -8]) } }, { step: '3' });
  const back = readSafetensors(path);
  assert.deepEqual(back.metadata, { step: '3' });
  assert.deepEqual(back.tensors.w, { dtype: 'F64', shape: [1, 2], data: new Float64Array([0.25, -8]) });
  assert.deepEqual(readFileSync(path), Buffer.from(encodeSafetensors(back.tensors, back.metadata)));
});

// ---------------------------------------------------------------------------------------------
// Reader rejections: one per rule, each checking the exact message.

const entry = (dtype: unknown, shape: unknown, offsets: unknown) =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

test('rejects: file shorter than 8 bytes', () => {
  rejects(new Uint8Array(5), `${SRC}: file is 5 bytes, too short for the 8-byte header length`);
  rejects(new Uint8Array(0), `${SRC}: file is 0 bytes, too short for the 8-byte header length`);
});

test('rejects: header length over the 100 MB limit', () => {
  rejects(new Uint8Array(u64le(100_000_001)), `${SRC}: header length 100000001 exceeds the 100000000-byte limit`);
  rejects(new Uint8Array(8).fill(0xff), `${SRC}: header length 18446744073709551615 exceeds the 100000000-byte limit`);
});

test('rejects: header length larger than the file', () => {
  rejects(
    new Uint8Array([...u64le(100), ...ascii('{}        ')]),
    `${SRC}: header length 100 runs past the end of the file (10 bytes follow the length prefix)`,
  );
});

test('rejects: header that is not UTF-8', () => {
  rejects(new Uint8Array([...u64le(4), 0x7b, 0xff, 0xfe, 0x7d]), `${SRC}: header is not valid UTF-8`);
});

test('rejects: header that is not JSON', () => {
  rejects(rawFile('{"w": '), /^bad\.safetensors: header is not valid JSON \(.+\)$/);
  rejects(rawFile(''), /^bad\.safetensors: header is not valid JSON \(.+\)$/);
});

test('rejects: header that is not a JSON object', () => {
  rejects(rawFile('[1,2]'), `${SRC}: header must be a JSON object, got [1,2]`);
  rejects(rawFile('null'), `${SRC}: header must be a JSON object, got null`);
  rejects(rawFile('"x"'), `${SRC}: header must be a JSON object, got "x"`);
});

test('rejects: tensor entry that is not an object', () => {
  rejects(rawFile('{"w":3}'), `${SRC}: tensor "w": entry must be an object, got 3`);
});

test('rejects: unknown dtype, naming the tensor', () => {
  const supported = '(supported: F64, F32, I32, I64, U8, F16, BF16)';
  rejects(rawFile(`{"w":${entry('F8', [1], [0, 1])}}`, [0]), `${SRC}: tensor "w": unknown dtype "F8" ${supported}`);
  rejects(rawFile(`{"w":${entry('f32', [1], [0, 4])}}`, [0, 0, 0, 0]), `${SRC}: tensor "w": unknown dtype "f32" ${supported}`);
  rejects(rawFile('{"w":{"shape":[],"data_offsets":[0,1]}}', [0]), `${SRC}: tensor "w": unknown dtype undefined ${supported}`);
});

test('rejects: shape that is not an array of non-negative integers', () => {
  const msg = (got: string) => `${SRC}: tensor "w": shape must be an array of non-negative integers, got ${got}`;
  rejects(rawFile(`{"w":${entry('U8', [2, -1], [0, 0])}}`), msg('[2,-1]'));
  rejects(rawFile(`{"w":${entry('U8', [1.5], [0, 0])}}`), msg('[1.5]'));
  rejects(rawFile(`{"w":${entry('U8', ['3'], [0, 0])}}`), msg('["3"]'));
  rejects(rawFile(`{"w":${entry('U8', 3, [0, 0])}}`), msg('3'));
  rejects(rawFile('{"w":{"dtype":"U8","shape":[1e300],"data_offsets":[0,0]}}'), msg('[1e+300]'));
  rejects(rawFile('{"w":{"dtype":"U8","data_offsets":[0,0]}}'), msg('undefined'));
});

test('rejects: data_offsets that are not two ordered non-negative integers', () => {
  const msg = (got: string) =>
    `${SRC}: tensor "w": data_offsets must be two non-negative integers [begin, end] with begin <= end, got ${got}`;
  rejects(rawFile(`{"w":${entry('U8', [1], [0])}}`, [0]), msg('[0]'));
  rejects(rawFile(`{"w":${entry('U8', [1], [0, 1, 2])}}`, [0, 0]), msg('[0,1,2]'));
  rejects(rawFile(`{"w":${entry('U8', [1], [0, 1.5])}}`, [0, 0]), msg('[0,1.5]'));
  rejects(rawFile(`{"w":${entry('U8', [1], [-1, 0])}}`, [0]), msg('[-1,0]'));
  rejects(rawFile(`{"w":${entry('U8', [0], [4, 0])}}`, [0, 0, 0, 0]), msg('[4,0]'));
  rejects(rawFile(`{"w":${entry('U8', [1], '0,1')}}`, [0]), msg('"0,1"'));
});

test('rejects: byte length that does not match shape and dtype, naming expected and actual', () => {
  rejects(
    rawFile(`{"w":${entry('F64', [2], [0, 8])}}`, new Uint8Array(8)),
    `${SRC}: tensor "w": expected 16 bytes (shape [2] of F64) but data_offsets [0, 8] span 8`,
  );
  rejects(
    rawFile(`{"w":${entry('BF16', [2, 3], [0, 24])}}`, new Uint8Array(24)),
    `${SRC}: tensor "w": expected 12 bytes (shape [2, 3] of BF16) but data_offsets [0, 24] span 24`,
  );
  rejects(
    rawFile(`{"w":${entry('I32', [], [0, 0])}}`),
    `${SRC}: tensor "w": expected 4 bytes (shape [] of I32) but data_offsets [0, 0] span 0`,
  );
});

test('rejects: data_offsets beyond the data buffer', () => {
  rejects(
    rawFile(`{"w":${entry('F32', [2], [0, 8])}}`, new Uint8Array(4)),
    `${SRC}: tensor "w": data_offsets [0, 8] run past the end of the 4-byte data buffer`,
  );
  rejects(
    rawFile(`{"w":${entry('U8', [0], [3, 3])}}`, new Uint8Array(2)),
    `${SRC}: tensor "w": data_offsets [3, 3] run past the end of the 2-byte data buffer`,
  );
});

test('rejects: overlapping tensors', () => {
  rejects(
    rawFile(`{"b":${entry('U8', [4], [2, 6])},"a":${entry('U8', [4], [0, 4])}}`, new Uint8Array(6)),
    `${SRC}: tensors "a" [0, 4] and "b" [2, 6] overlap`,
  );
  rejects(
    rawFile(`{"a":${entry('U8', [4], [0, 4])},"same":${entry('U8', [4], [0, 4])}}`, new Uint8Array(4)),
    `${SRC}: tensors "a" [0, 4] and "same" [0, 4] overlap`,
  );
});

test('rejects: holes in the data buffer (before, between and after tensors)', () => {
  rejects(
    rawFile(`{"a":${entry('U8', [4], [0, 4])},"b":${entry('U8', [4], [6, 10])}}`, new Uint8Array(10)),
    `${SRC}: data buffer bytes [4, 6) are not covered by any tensor`,
  );
  rejects(
    rawFile(`{"a":${entry('U8', [2], [1, 3])}}`, new Uint8Array(3)),
    `${SRC}: data buffer bytes [0, 1) are not covered by any tensor`,
  );
  rejects(
    rawFile(`{"a":${entry('U8', [2], [0, 2])}}`, new Uint8Array(5)),
    `${SRC}: data buffer bytes [2, 5) are not covered by any tensor`,
  );
  rejects(rawFile('{}', new Uint8Array(3)), `${SRC}: data buffer bytes [0, 3) are not covered by any tensor`);
});

test('rejects: __metadata__ that is not an object of strings', () => {
  rejects(rawFile('{"__metadata__":{"step":3}}'), `${SRC}: __metadata__ value for key "step" must be a string, got 3`);
  rejects(rawFile('{"__metadata__":{"a":"x","b":null}}'), `${SRC}: __metadata__ value for key "b" must be a string, got null`);
  rejects(rawFile('{"__metadata__":["x"]}'), `${SRC}: __metadata__ must be an object of strings, got ["x"]`);
  rejects(rawFile('{"__metadata__":"x"}'), `${SRC}: __metadata__ must be an object of strings, got "x"`);
});

test('readSafetensors names the file in its errors', () => {
  const path = join(dir, 'truncated.safetensors');
  writeSafetensors(path, { w: { dtype: 'F64', shape: [4], data: new Float64Array(4) } });
  writeFileSync(path, readFileSync(path).subarray(0, -8));
  assert.throws(() => readSafetensors(path), {
    name: 'SafetensorsError',
    message: `${path}: tensor "w": data_offsets [0, 32] run past the end of the 24-byte data buffer`,
  });
});

// ---------------------------------------------------------------------------------------------
// Writer rejections

test('writer rejects: data length that does not match the shape', () => {
  writerRejects(
    { w: { dtype: 'F64', shape: [2, 3], data: new Float64Array(5) } },
    'out.safetensors: tensor "w": data has 5 elements but shape [2, 3] needs 6',
  );
  writerRejects(
    { s: { dtype: 'I32', shape: [], data: new Int32Array(0) } },
    'out.safetensors: tensor "s": data has 0 elements but shape [] needs 1',
  );
});

test('writer rejects: empty and reserved names', () => {
  writerRejects({ '': { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }, 'out.safetensors: tensor names must be non-empty');
  writerRejects(
    { __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } },
    'out.safetensors: tensor name "__metadata__" is reserved for metadata',
  );
});

test('writer rejects: array type that does not match the dtype', () => {
  writerRejects(
    { w: { dtype: 'F32', shape: [1], data: new Float64Array(1) } },
    'out.safetensors: tensor "w": dtype F32 needs a Float32Array, got Float64Array',
  );
  writerRejects(
    { w: { dtype: 'F16', shape: [1], data: new Uint16Array(1) } },
    'out.safetensors: tensor "w": dtype F16 needs a Float32Array, got Uint16Array',
  );
  writerRejects(
    { w: { dtype: 'I64', shape: [1], data: [1] } },
    'out.safetensors: tensor "w": dtype I64 needs a BigInt64Array, got a plain Array',
  );
});

test('writer rejects: unknown dtype, bad shape, non-string metadata', () => {
  writerRejects(
    { w: { dtype: 'F8', shape: [1], data: new Uint8Array(1) } },
    'out.safetensors: tensor "w": unknown dtype "F8" (supported: F64, F32, I32, I64, U8, F16, BF16)',
  );
  writerRejects(
    { w: { dtype: 'U8', shape: [-1], data: new Uint8Array(1) } },
    'out.safetensors: tensor "w": shape must be an array of non-negative integers, got [-1]',
  );
  writerRejects({}, 'out.safetensors: __metadata__ value for key "step" must be a string, got 3', { step: 3 });
  writerRejects({}, 'out.safetensors: __metadata__ value for key "n" must be a string, got 1n', { n: 1n });
});

test('writeSafetensors names the path in its errors and leaves no file behind', () => {
  const path = join(dir, 'never.safetensors');
  assert.throws(() => writeSafetensors(path, { '': { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }), {
    name: 'SafetensorsError',
    message: `${path}: tensor names must be non-empty`,
  });
  assert.throws(() => readFileSync(path), { code: 'ENOENT' });
});

// ---------------------------------------------------------------------------------------------
// Interoperability with PyTorch, reading and writing the format by hand on the python side
// (the safetensors python package is not installed), so both sides implement the spec.

const PY_DTYPES = `
DT = {'F64': torch.float64, 'F32': torch.float32, 'I32': torch.int32, 'I64': torch.int64,
      'U8': torch.uint8, 'F16': torch.float16, 'BF16': torch.bfloat16}

def values(t):
    if t.dtype == torch.int64:
        return [str(v) for v in t.flatten().tolist()]  # JSON numbers would lose bits past 2^53
    if t.dtype.is_floating_point:
        return t.double().flatten().tolist()  # exact for every float format here
    return t.flatten().tolist()
`;

const PY_READ = `
import json, struct, torch
from common import read_input, write_output
${PY_DTYPES}
path = read_input()['path']
raw = open(path, 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n].decode('utf-8'))
data = raw[8 + n:]
metadata = header.pop('__metadata__', {})
tensors = {}
spans = []
for name, info in header.items():
    begin, end = info['data_offsets']
    spans.append((begin, end))
    dt = DT[info['dtype']]
    flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dt) if end > begin else torch.empty(0, dtype=dt)
    tensors[name] = flat.reshape(info['shape'])
spans.sort()
contiguous = spans[0][0] == 0 and spans[-1][1] == len(data) and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))

def rounding_mismatches(wide, narrow, dt):
    ref = wide.to(dt)
    bad = []
    for w, r, o, r_nan, o_nan in zip(wide.tolist(), ref.view(torch.int16).tolist(), narrow.view(torch.int16).tolist(),
                                     ref.isnan().tolist(), narrow.isnan().tolist()):
        if r_nan and o_nan:
            continue  # NaN payloads are not specified
        if r != o:
            bad.append([w, r & 0xffff, o & 0xffff])
    return bad

write_output({
    'data_start_mod_8': (8 + n) % 8,
    'header_tail_is_spaces': raw[8:8 + n].decode('utf-8').rstrip(' ').endswith('}'),
    'contiguous': contiguous,
    'metadata': metadata,
    'tensors': {k: {'shape': list(t.shape), 'values': values(t)} for k, t in tensors.items()},
    'f16_mismatches': rounding_mismatches(tensors['round_src_f16'], tensors['round_f16'], torch.float16),
    'bf16_mismatches': rounding_mismatches(tensors['round_src_bf16'], tensors['round_bf16'], torch.bfloat16),
})
`;

const PY_WRITE = `
import json, struct, torch
from common import read_input, write_output
${PY_DTYPES}
path = read_input()['path']
g = torch.Generator().manual_seed(0)
tensors = {
    'w64': torch.randn(3, 4, dtype=torch.float64, generator=g),
    'w32': torch.randn(5, dtype=torch.float32, generator=g),
    'h16': torch.randn(2, 3, dtype=torch.float32, generator=g).to(torch.float16),
    'b16': torch.randn(7, dtype=torch.float32, generator=g).to(torch.bfloat16),
    'sub16': torch.tensor([2.0 ** -24, -(2.0 ** -20), 65504.0], dtype=torch.float16),
    'i32': torch.tensor([-2 ** 31, -1, 0, 2 ** 31 - 1], dtype=torch.int32),
    'i64': torch.tensor([-2 ** 63, 2 ** 53 + 1, 2 ** 63 - 1], dtype=torch.int64),
    'u8': torch.arange(0, 256, 51).to(torch.uint8),
    'scalar': torch.tensor(2.5, dtype=torch.float64),
    'empty': torch.zeros(0, 3, dtype=torch.float32),
    'special': torch.tensor([float('nan'), float('inf'), -float('inf'), -0.0], dtype=torch.float64),
}
NAMES = {v: k for k, v in DT.items()}
header = {'__metadata__': {'producer': 'torch ' + torch.__version__, 'format': 'pt'}}
blobs = []
offset = 0
for name in sorted(tensors, reverse=True):  # deliberately not our writer's order
    t = tensors[name].contiguous()
    blob = bytes(t.reshape(-1).view(torch.uint8).tolist())
    header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header, separators=(',', ':')).encode('utf-8')
if len(text) % 2 == 0:
    text += b' '  # odd header length: the tensor data is misaligned in the file
with open(path, 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
write_output({
    'metadata': header['__metadata__'],
    'tensors': {k: {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'values': values(t)} for k, t in tensors.items()},
})
`;

interface PyTensor {
  dtype?: string;
  shape: number[];
  values: (number | string)[];
}

function expectedValues(t: StTensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Deterministic float32 bit patterns (xorshift32), so rounding is checked far beyond hand-picked cases. */
function randomFloat32(count: number, seed: number, exponentBits: (r: number) => number): Float32Array {
  const bits = new Uint32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    bits[i] = ((s & 0x807fffff) | (exponentBits(s) << 23)) >>> 0;
  }
  return new Float32Array(bits.buffer);
}

oracleTest('torch reads a file written by encodeSafetensors', () => {
  // Half exponents live in [-25, 16]: cover subnormals, ties, overflow and everything between.
  const halfSrc = randomFloat32(4000, 12345, (r) => 127 - 26 + ((r >>> 8) % 44));
  halfSrc.set([65519, 65520, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, NaN, -0, Infinity], 0);
  // Any float32 at all for bfloat16, NaNs and Infs included.
  const bf16Src = randomFloat32(4000, 777, (r) => (r >>> 8) & 0xff);
  const path = join(dir, 'to-torch.safetensors');
  const tensors: Record<string, StTensor> = {
    f64: { dtype: 'F64', shape: [2, 2], data: new Float64Array([Math.PI, -0, 1e-310, -1e300]) },
    f32: { dtype: 'F32', shape: [3], data: new Float32Array([0.1, -2.5, 3e38]) },
    i32: { dtype: 'I32', shape: [2, 1], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
    i64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]) },
    u8: { dtype: 'U8', shape: [2, 2], data: new Uint8Array([0, 1, 254, 255]) },
    f16: { dtype: 'F16', shape: [3], data: f16([1, -(2 ** -24), 65504]) },
    bf16: { dtype: 'BF16', shape: [2], data: f16([1.5, -(2 ** 100)]) },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([-7.75]) },
    empty: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
    round_src_f16: { dtype: 'F32', shape: [halfSrc.length], data: halfSrc },
    round_f16: { dtype: 'F16', shape: [halfSrc.length], data: halfSrc },
    round_src_bf16: { dtype: 'F32', shape: [bf16Src.length], data: bf16Src },
    round_bf16: { dtype: 'BF16', shape: [bf16Src.length], data: bf16Src },
  };
  writeSafetensors(path, tensors, { format: 'pt', note: 'ünïcödé' });
  const r = runTorch(PY_READ, { path }) as {
    data_start_mod_8: number;
    header_tail_is_spaces: boolean;
    contiguous: boolean;
    metadata: Record<string, string>;
    tensors: Record<string, PyTensor>;
    f16_mismatches: unknown[];
    bf16_mismatches: unknown[];
  };
  assert.equal(r.data_start_mod_8, 0);
  assert.ok(r.header_tail_is_spaces);
  assert.ok(r.contiguous);
  assert.deepEqual(r.metadata, { format: 'pt', note: 'ünïcödé' });
  assert.deepEqual(r.f16_mismatches, [], 'F16 rounding matches torch .to(float16)');
  assert.deepEqual(r.bf16_mismatches, [], 'BF16 rounding matches torch .to(bfloat16)');
  for (const name of ['f64', 'f32', 'i32', 'i64', 'u8', 'f16', 'bf16', 'scalar', 'empty']) {
    const t = tensors[name];
    assert.deepEqual(r.tensors[name].shape, t.shape, name);
    assertSameValues(r.tensors[name].values as ArrayLike<number>, expectedValues(t) as ArrayLike<number>, name);
  }
});

oracleTest('readSafetensors reads a file written by torch', () => {
  const path = join(dir, 'from-torch.safetensors');
  const r = runTorch(PY_WRITE, { path }) as { metadata: Record<string, string>; tensors: Record<string, PyTensor> };
  const back = readSafetensors(path);
  assert.deepEqual(back.metadata, r.metadata);
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(r.tensors).sort());
  for (const [name, want] of Object.entries(r.tensors)) {
    const got = back.tensors[name];
    assert.equal(got.dtype, want.dtype, name);
    assert.deepEqual(got.shape, want.shape, name);
    assertSameValues(expectedValues(got) as ArrayLike<number>, want.values as ArrayLike<number>, name);
  }
});
