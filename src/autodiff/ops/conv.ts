import { allocate } from '../../tensor/dtype.js';
import { getBackend } from '../../tensor/backend.js';
import { convGeometry, type Conv2dGeometry } from '../../tensor/kernels/conv.js';
import { ShapeError, shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';
import { add } from './arith.js';
import { matmul } from './linalg.js';
import { mean } from './reduce.js';
import { permute, reshape, take } from './shape.js';

// im2col and col2im are each other's adjoint; both are linear, so each one's jvp is itself.
const im2colRules: Rules<Conv2dGeometry> = {
  name: 'im2col',
  vjp: (g, _, __, geo) => [col2im(g, geo)],
  jvp: ([dx], _, __, geo) => im2col(dx!, geo),
};
const col2imRules: Rules<Conv2dGeometry> = {
  name: 'col2im',
  vjp: (g, _, __, geo) => [im2col(g, geo)],
  jvp: ([dc], _, __, geo) => col2im(dc!, geo),
};

export function im2col(x: Tensor, geo: Conv2dGeometry): Tensor {
  const rows = geo.c * geo.kh * geo.kw;
  const cols = geo.n * geo.oh * geo.ow;
  const out = allocate(x.dtype, rows * cols);
  getBackend().im2col(x.data, geo, out);
  return record(im2colRules, [x], new Tensor(out, [rows, cols]), geo);
}

export function col2im(cols: Tensor, geo: Conv2dGeometry): Tensor {
  const out = allocate(cols.dtype, geo.n * geo.c * geo.h * geo.w);
  getBackend().col2im(cols.data, geo, out);
  return record(col2imRules, [cols], new Tensor(out, [geo.n, geo.c, geo.h, geo.w]), geo);
}

export type Pair = number | [number, number];
const pair = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : p);

function geometryFor(op: string, x: Tensor, kh: number, kw: number, stride: Pair, padding: Pair, c = x.shape[1]): Conv2dGeometry {
  if (x.rank !== 4) throw new ShapeError(op, `expects NCHW input of rank 4, got ${shapeStr(x.shape)}`);
  const geo = convGeometry(x.shape[0], c, x.shape[2], x.shape[3], kh, kw, pair(stride), pair(padding));
  if (geo.oh <= 0 || geo.ow <= 0) throw new ShapeError(op, `kernel ${kh}x${kw} does not fit input ${shapeStr(x.shape)}`);
  return geo;
}

/** 2-D convolution, NCHW input and PyTorch's weight layout [Co, Ci, KH, KW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, stride: Pair = 1, padding: Pair = 0): Tensor {
  if (weight.rank !== 4) throw new ShapeError('conv2d', `weight must be [Co, Ci, KH, KW], got ${shapeStr(weight.shape)}`);
  const [co, ci, kh, kw] = weight.shape;
  if (x.rank !== 4 || x.shape[1] !== ci) {
    throw new ShapeError('conv2d', `input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)} (expects [N, ${ci}, H, W])`);
  }
  const geo = geometryFor('conv2d', x, kh, kw, stride, padding);
  const cols = im2col(x, geo);
  const y = matmul(reshape(weight, [co, ci * kh * kw]), cols); // [Co, N*OH*OW]
  let out = permute(reshape(y, [co, geo.n, geo.oh, geo.ow]), [1, 0, 2, 3]);
  if (bias) out = add(out, reshape(bias, [1, co, 1, 1]));
  return out;
}

/** Max pooling; the gradient goes to the first maximum of each window (PyTorch's rule). */
export function maxPool2d(x: Tensor, kernel: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  const [kh, kw] = pair(kernel);
  const geo = geometryFor('maxPool2d', x, kh, kw, stride ?? kernel, padding);
  const { n, c, h, w, oh, ow, strideH, strideW, padH, padW } = geo;
  const index = new Int32Array(n * c * oh * ow);
  const d = x.data;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o++) {
        let best = -1;
        let bv = -Infinity;
        for (let i = 0; i < kh; i++) {
          const iy = y * strideH - padH + i;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = xo * strideW - padW + j;
            if (ix < 0 || ix >= w) continue;
            const k = base + iy * w + ix;
            if (best < 0 || d[k] > bv || Number.isNaN(d[k])) {
              best = k;
              bv = d[k];
              if (Number.isNaN(bv)) break;
            }
          }
        }
        index[o] = best;
      }
    }
  }
  return take(x, index, [n, c, oh, ow]);
}

/** Average pooling (zero padding counted, PyTorch's count_include_pad=True default). */
export function avgPool2d(x: Tensor, kernel: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  const [kh, kw] = pair(kernel);
  const [n, c] = x.shape;
  const planes = reshape(x, [n * c, 1, x.shape[2], x.shape[3]]);
  const geo = geometryFor('avgPool2d', planes, kh, kw, stride ?? kernel, padding, 1);
  const cols = im2col(planes, geo); // [KH*KW, N*C*OH*OW]
  return reshape(mean(cols, 0), [n, c, geo.oh, geo.ow]);
}
