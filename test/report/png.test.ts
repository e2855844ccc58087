import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { crc32, encodePng, pngDataUri } from '../../src/report/png.js';

interface Chunk { type: string; data: Buffer; crc: number }

function chunks(png: Uint8Array): Chunk[] {
  const buf = Buffer.from(png);
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'signature');
  const out: Chunk[] = [];
  let at = 8;
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    const crc = buf.readUInt32BE(at + 8 + len);
    // zlib's CRC-32 is the independent reference for PNG's chunk checksum.
    assert.equal(crc, zlibCrc(buf.subarray(at + 4, at + 8 + len)), `${type}: CRC`);
    out.push({ type, data, crc });
    at += 12 + len;
  }
  return out;
}

function zlibCrc(bytes: Uint8Array): number {
  const fn = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
  return fn ? fn(bytes) : crc32(bytes);
}

/** Decodes our own output (filter 0 only) back to HWC bytes. */
function decode(png: Uint8Array): { width: number; height: number; colourType: number; samples: number[][] } {
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const ihdr = cs[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(ihdr[8], 8, 'bit depth');
  const colourType = ihdr[9];
  const channels = { 0: 1, 2: 3, 6: 4 }[colourType as 0 | 2 | 6];
  const raw = zlib.inflateSync(cs[1].data);
  assert.equal(raw.length, height * (1 + width * channels));
  const samples: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * channels);
    assert.equal(raw[row], 0, 'filter type None');
    samples.push([...raw.subarray(row + 1, row + 1 + width * channels)]);
  }
  return { width, height, colourType, samples };
}

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    assert.equal(crc32(bytes), zlibCrc(bytes));
    assert.equal(crc32(new Uint8Array(0)), 0);
  });
});

describe('encodePng', () => {
  it('encodes greyscale CHW pixels, clamping to [0, 1]', () => {
    const d = decode(encodePng({ channels: 1, height: 2, width: 3, pixels: [0, 0.5, 1, -1, 2, 0.2] }));
    assert.equal(d.width, 3);
    assert.equal(d.height, 2);
    assert.equal(d.colourType, 0);
    assert.deepEqual(d.samples, [[0, 128, 255], [0, 255, 51]]);
  });

  it('interleaves RGB planes into pixels', () => {
    // Planes: R = [1, 0], G = [0, 1], B = [0, 0] -> red, green.
    const d = decode(encodePng({ channels: 3, height: 1, width: 2, pixels: [1, 0, 0, 1, 0, 0] }));
    assert.equal(d.colourType, 2);
    assert.deepEqual(d.samples, [[255, 0, 0, 0, 255, 0]]);
  });

  it('supports RGBA and maps NaN to 0', () => {
    const d = decode(encodePng({ channels: 4, height: 1, width: 1, pixels: [NaN, 1, 0, 0.5] }));
    assert.equal(d.colourType, 6);
    assert.deepEqual(d.samples, [[0, 255, 0, 128]]);
  });

  it('rejects wrong sizes and channel counts', () => {
    assert.throws(() => encodePng({ channels: 1, height: 2, width: 2, pixels: [0, 0, 0] }), /3 pixel values for 1x2x2 \(expected 4\)/);
    assert.throws(() => encodePng({ channels: 2, height: 1, width: 1, pixels: [0, 0] }), /2 channels/);
    assert.throws(() => encodePng({ channels: 1, height: 0, width: 1, pixels: [] }), /height must be a positive integer/);
  });

  it('makes a base64 data URI', () => {
    const uri = pngDataUri({ channels: 1, height: 1, width: 1, pixels: [1] });
    assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    decode(Buffer.from(uri.split(',')[1], 'base64'));
  });
});
