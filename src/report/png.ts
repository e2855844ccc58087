import { deflateSync } from 'node:zlib';

// A minimal PNG encoder (8-bit greyscale, RGB or RGBA, no interlace) so example images can be
// inlined as data URIs without an image library.

export interface ImageData01 {
  channels: number;
  height: number;
  width: number;
  /** Channel-major (CHW) values in [0, 1]; out-of-range values are clamped. */
  pixels: ArrayLike<number>;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG and zlib's crc32 use). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOUR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

/** One chunk: length, type, data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function checkImage(img: ImageData01): void {
  const { channels, height, width, pixels } = img;
  if (!(channels in COLOUR_TYPE)) throw new Error(`png: ${channels} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA)`);
  for (const [what, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`png: ${what} must be a positive integer, got ${v}`);
  }
  const expected = channels * height * width;
  if (pixels.length !== expected) throw new Error(`png: ${pixels.length} pixel values for ${channels}x${height}x${width} (expected ${expected})`);
}

/** Encodes a CHW image with values in [0, 1] as PNG bytes. */
export function encodePng(img: ImageData01): Uint8Array {
  checkImage(img);
  const { channels: c, height: h, width: w, pixels } = img;
  // Each scanline: filter byte 0 (None), then interleaved samples (HWC).
  const raw = new Uint8Array(h * (1 + w * c));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + w * c);
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const v = Number(pixels[(ch * h + y) * w + x]);
        raw[row + 1 + x * c + ch] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0;
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, w);
  view.setUint32(4, h);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[c];
  // compression 0 (deflate), filter method 0, interlace 0: already zero.
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function pngDataUri(img: ImageData01): string {
  return `data:image/png;base64,${Buffer.from(encodePng(img)).toString('base64')}`;
}
