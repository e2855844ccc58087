import type { FloatArray } from '../dtype.js';

/** Geometry of a 2-D convolution or pooling window over NCHW data. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  oh: number; ow: number;
}

export function convGeometry(
  n: number, c: number, h: number, w: number, kh: number, kw: number,
  stride: [number, number], padding: [number, number],
): Conv2dGeometry {
  const oh = Math.floor((h + 2 * padding[0] - kh) / stride[0]) + 1;
  const ow = Math.floor((w + 2 * padding[1] - kw) / stride[1]) + 1;
  return { n, c, h, w, kh, kw, strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1], oh, ow };
}

/**
 * im2col: x [N, C, H, W] -> cols [C*KH*KW, N*OH*OW], zero outside the padded border.
 * Row index (c, i, j) matches the flattening of a PyTorch conv weight [Co, C, KH, KW], and all
 * images sit side by side in the columns, so a convolution is one 2-D gemm.
 */
export function im2colTs(x: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, oh, ow } = g;
  const L = oh * ow;
  const ld = n * L;
  for (let b = 0; b < n; b++) {
    const xb = b * c * h * w;
    const ob = b * L;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const row = ob + ((ch * kh + i) * kw + j) * ld;
          for (let y = 0; y < oh; y++) {
            const iy = y * strideH - padH + i;
            const dst = row + y * ow;
            if (iy < 0 || iy >= h) {
              out.fill(0, dst, dst + ow);
              continue;
            }
            const src = xb + (ch * h + iy) * w;
            for (let xo = 0; xo < ow; xo++) {
              const ix = xo * strideW - padW + j;
              out[dst + xo] = ix >= 0 && ix < w ? x[src + ix] : 0;
            }
          }
        }
      }
    }
  }
}

/** col2im: the adjoint of im2col (scatter-adds columns back into [N, C, H, W]). */
export function col2imTs(cols: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, oh, ow } = g;
  const L = oh * ow;
  const ld = n * L;
  out.fill(0);
  for (let b = 0; b < n; b++) {
    const xb = b * c * h * w;
    const ob = b * L;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const row = ob + ((ch * kh + i) * kw + j) * ld;
          for (let y = 0; y < oh; y++) {
            const iy = y * strideH - padH + i;
            if (iy < 0 || iy >= h) continue;
            const src = row + y * ow;
            const dst = xb + (ch * h + iy) * w;
            for (let xo = 0; xo < ow; xo++) {
              const ix = xo * strideW - padW + j;
              if (ix >= 0 && ix < w) out[dst + ix] += cols[src + xo];
            }
          }
        }
      }
    }
  }
}
