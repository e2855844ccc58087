import { Tensor } from '../tensor/tensor.js';
import type { Shape } from '../tensor/shape.js';
import * as ops from './ops/index.js';
import type { TensorLike } from './ops/util.js';

// Method-call sugar over the functional ops (x.matmul(w).add(b).relu()), micrograd style.
declare module '../tensor/tensor.js' {
  interface Tensor {
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike): Tensor;
    neg(): Tensor;
    square(): Tensor;
    pow(p: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    sqrt(): Tensor;
    matmul(o: Tensor): Tensor;
    sum(axes?: number | readonly number[], keepDims?: boolean): Tensor;
    mean(axes?: number | readonly number[], keepDims?: boolean): Tensor;
    reshape(shape: Shape): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(): Tensor;
    detach(): Tensor;
  }
}

const p = Tensor.prototype;
p.add = function (o) { return ops.add(this, o); };
p.sub = function (o) { return ops.sub(this, o); };
p.mul = function (o) { return ops.mul(this, o); };
p.div = function (o) { return ops.div(this, o); };
p.neg = function () { return ops.neg(this); };
p.square = function () { return ops.square(this); };
p.pow = function (e) { return ops.pow(this, e); };
p.exp = function () { return ops.exp(this); };
p.log = function () { return ops.log(this); };
p.tanh = function () { return ops.tanh(this); };
p.sigmoid = function () { return ops.sigmoid(this); };
p.relu = function () { return ops.relu(this); };
p.sqrt = function () { return ops.sqrt(this); };
p.matmul = function (o) { return ops.matmul(this, o); };
p.sum = function (axes, keepDims) { return ops.sum(this, axes, keepDims); };
p.mean = function (axes, keepDims) { return ops.mean(this, axes, keepDims); };
p.reshape = function (shape) { return ops.reshape(this, shape); };
p.permute = function (perm) { return ops.permute(this, perm); };
p.transpose = function () { return ops.transpose(this); };
p.detach = function () { return ops.stopGradient(this); };
