import { allocate, Tensor, type DType, type Rng } from '../tensor/index.js';

// PyTorch's default initialisations, drawn from our seeded Rng (so the values differ from
// torch's, but the distributions are the same).

export type InitRule =
  | { kind: 'uniform'; bound: number }
  | { kind: 'normal'; std: number }
  | { kind: 'constant'; value: number };

/**
 * nn.Linear / nn.Conv2d weight and bias: kaiming_uniform_(a=sqrt(5)) has gain sqrt(2/(1+5)),
 * so its bound sqrt(3)*gain/sqrt(fan_in) is 1/sqrt(fan_in); the bias uses the same bound.
 */
export function fanInUniform(fanIn: number): InitRule {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

export function constant(value: number): InitRule {
  return { kind: 'constant', value };
}

export function normal(std: number): InitRule {
  return { kind: 'normal', std };
}

/** Draws one tensor, element by element in row-major order. */
export function initParam(shape: readonly number[], rule: InitRule, rng: Rng, dtype: DType): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const d = allocate(dtype, size);
  switch (rule.kind) {
    case 'uniform':
      for (let i = 0; i < size; i++) d[i] = (2 * rng.uniform() - 1) * rule.bound;
      break;
    case 'normal':
      for (let i = 0; i < size; i++) d[i] = rng.normal() * rule.std;
      break;
    case 'constant':
      d.fill(rule.value);
      break;
  }
  return new Tensor(d, shape);
}
