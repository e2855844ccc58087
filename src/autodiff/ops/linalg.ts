import { allocate } from '../../tensor/dtype.js';
import { getBackend } from '../../tensor/backend.js';
import { sameShape, ShapeError, shapeStr, sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';
import { add } from './arith.js';
import { broadcastTo, reshape } from './shape.js';
import { dtypeOfPair } from './util.js';

interface MmAttrs { ta: boolean; tb: boolean }

const mmRules: Rules<MmAttrs> = {
  name: 'mm',
  // C = op(A) op(B): dA and dB follow from dC = op(dA) op(B) + op(A) op(dB), keeping the transposes
  // in the flags so no transposed copy is ever made.
  vjp: (g, [a, b], _, { ta, tb }, [needA, needB]) => [
    !needA ? null : ta ? mm(b, g, tb, true) : mm(g, b, false, !tb),
    !needB ? null : tb ? mm(g, a, true, ta) : mm(a, g, !ta, false),
  ],
  jvp: ([da, db], [a, b], _, { ta, tb }) => {
    const l = da && mm(da, b, ta, tb);
    const r = db && mm(a, db, ta, tb);
    return l && r ? add(l, r) : (l ?? r)!;
  },
};

/**
 * Matrix product op(A) op(B) on the last two axes, op = transpose when the flag is set.
 * Leading (batch) axes must match exactly; use `matmul` for the broadcasting forms.
 */
export function mm(a: Tensor, b: Tensor, ta = false, tb = false): Tensor {
  const dtype = dtypeOfPair('matmul', a, b);
  if (a.rank < 2 || b.rank < 2) throw new ShapeError('matmul', `needs rank >= 2 operands, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const batch = a.shape.slice(0, -2);
  if (!sameShape(batch, b.shape.slice(0, -2))) {
    throw new ShapeError('matmul', `batch axes differ: ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const kb = tb ? bc : br;
  const n = tb ? br : bc;
  if (k !== kb) {
    const desc = (s: readonly number[], t: boolean) => `${shapeStr(s)}${t ? 'ᵀ' : ''}`;
    throw new ShapeError('matmul', `inner dimensions differ: ${desc(a.shape, ta)} @ ${desc(b.shape, tb)} (${k} vs ${kb})`);
  }
  const nb = sizeOf(batch);
  const out = allocate(dtype, nb * m * n);
  const gemm = getBackend().gemm;
  for (let i = 0; i < nb; i++) {
    gemm(ta, tb, m, n, k, 1, a.data, i * ar * ac, ac, b.data, i * br * bc, bc, 0, out, i * m * n, n);
  }
  return record(mmRules, [a, b], new Tensor(out, [...batch, m, n]), { ta, tb });
}

/**
 * NumPy-style matmul for rank >= 2: [..., M, K] @ [K, N] (a linear layer on any batch shape),
 * [..., M, K] @ [..., K, N], and a shared left matrix broadcast over a batch.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank > 2 && b.rank === 2) {
    const lead = a.shape.slice(0, -1);
    const out = mm(reshape(a, [-1, a.shape[a.rank - 1]]), b);
    return reshape(out, [...lead, b.shape[1]]);
  }
  if (a.rank === 2 && b.rank > 2) return mm(broadcastTo(a, [...b.shape.slice(0, -2), ...a.shape]), b);
  return mm(a, b);
}
