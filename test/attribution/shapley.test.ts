import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addOneFromTable, additivityGap, leaveOneOutFromTable, pairwiseInteractions, shapleyValues, type SubsetValues } from '../../src/attribution/shapley.js';
import { Rng } from '../../src/tensor/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const closeAll = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) close(a[i], b[i]);
};

/** A table from v(mask) -> behaviour values. */
function table(K: number, v: (mask: number) => number[]): SubsetValues {
  return { K, values: Array.from({ length: 2 ** K }, (_, mask) => Float64Array.from(v(mask))) };
}

// K = 2, two behaviours: v(none), v({0}), v({1}), v({0,1}) (index = mask of kept stages).
const two = { K: 2, values: [[0, 10], [4, 10], [1, 13], [7, 20]].map((r) => Float64Array.from(r)) };

test('shapley: exact values on a 2-stage table', () => {
  // phi_0 = ((v{0} - v{}) + (v{0,1} - v{1})) / 2, phi_1 likewise.
  const [phi0, phi1] = shapleyValues(two);
  closeAll(phi0, [5, 3.5]);
  closeAll(phi1, [2, 6.5]);
});

test('shapley: leave-one-out, add-one, interaction and additivity gap on the 2-stage table', () => {
  const [tau0, tau1] = leaveOneOutFromTable(two);
  closeAll(tau0, [6, 7]);
  closeAll(tau1, [3, 10]);
  const [add0, add1] = addOneFromTable(two);
  closeAll(add0, [4, 0]);
  closeAll(add1, [1, 3]);
  const I = pairwiseInteractions(two, { perBehaviour: true });
  // I_01 = v{0,1} - v{1} - v{0} + v{} = [2, 7].
  assert.deepEqual(I.mean, [[0, 4.5], [4.5, 0]]);
  assert.deepEqual(I.meanAbs, [[0, 4.5], [4.5, 0]]);
  closeAll(I.perBehaviour![0][1], [2, 7]);
  closeAll(I.perBehaviour![1][0], [2, 7]);
  assert.equal(pairwiseInteractions(two).perBehaviour, undefined);
  // With two stages the leave-one-out effects miss the total by exactly -I_01.
  closeAll(additivityGap(two), [-2, -7]);
});

function randomTable(K: number, m: number, seed: number): SubsetValues {
  const rng = new Rng(seed);
  return table(K, () => Array.from({ length: m }, () => rng.normal()));
}

/** Shapley by its definition: the mean marginal contribution over every order of the stages. */
function shapleyByPermutations(t: SubsetValues): number[][] {
  const { K, values } = t;
  const m = values[0].length;
  const phi = Array.from({ length: K }, () => new Array<number>(m).fill(0));
  const orders: number[][] = [];
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) orders.push(prefix);
    rest.forEach((k, i) => permute([...prefix, k], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: K }, (_, k) => k));
  for (const order of orders) {
    let mask = 0;
    for (const k of order) {
      for (let i = 0; i < m; i++) phi[k][i] += (values[mask | (1 << k)][i] - values[mask][i]) / orders.length;
      mask |= 1 << k;
    }
  }
  return phi;
}

test('shapley: matches the permutation definition and is efficient (sums to v(all) - v(none))', () => {
  for (const K of [1, 3, 4]) {
    const t = randomTable(K, 5, K);
    const phi = shapleyValues(t);
    shapleyByPermutations(t).forEach((p, k) => closeAll(phi[k], p));
    const total = t.values[2 ** K - 1].map((x, i) => x - t.values[0][i]);
    closeAll(total.map((_, i) => phi.reduce((s, p) => s + p[i], 0)), total);
  }
});

test('shapley: symmetric stages get equal values, a dummy stage gets zero', () => {
  // v depends on how many of stages 0 and 1 are kept, and ignores stage 2 entirely.
  const byCount = [[0.3, -1], [2, 0.5], [-4, 7]];
  const t = table(3, (mask) => byCount[(mask & 1) + ((mask >> 1) & 1)]);
  const [phi0, phi1, phi2] = shapleyValues(t);
  closeAll(phi0, phi1);
  closeAll(phi2, [0, 0]);
  closeAll(phi0, [(-4 - 0.3) / 2, (7 + 1) / 2]);
});

test('shapley: an additive game has phi = leave-one-out = add-one and no interactions', () => {
  const w = [[1, -2], [0.5, 3], [-1.5, 0.25]];
  const t = table(3, (mask) => [0, 1].map((i) => w.reduce((s, wk, k) => s + ((mask >> k) & 1 ? wk[i] : 0), 10)));
  const phi = shapleyValues(t);
  const loo = leaveOneOutFromTable(t);
  const add = addOneFromTable(t);
  w.forEach((wk, k) => {
    closeAll(phi[k], wk);
    closeAll(loo[k], wk);
    closeAll(add[k], wk);
  });
  pairwiseInteractions(t).mean.forEach((row) => row.forEach((x) => close(x, 0)));
  closeAll(additivityGap(t), [0, 0]);
});

test('shapley: interactions are symmetric and mean over behaviours; meanAbs does not cancel', () => {
  const t = randomTable(3, 4, 9);
  const I = pairwiseInteractions(t, { perBehaviour: true });
  const all = 7;
  for (let j = 0; j < 3; j++) {
    assert.equal(I.mean[j][j], 0);
    for (let k = 0; k < 3; k++) {
      if (j === k) continue;
      assert.equal(I.mean[j][k], I.mean[k][j]);
      const rest = all & ~(1 << j) & ~(1 << k);
      const direct = [0, 1, 2, 3].map((i) => t.values[all][i] - t.values[all & ~(1 << j)][i] - t.values[all & ~(1 << k)][i] + t.values[rest][i]);
      closeAll(I.perBehaviour![j][k], direct);
      close(I.mean[j][k], direct.reduce((a, b) => a + b) / 4);
      close(I.meanAbs[j][k], direct.reduce((a, b) => a + Math.abs(b), 0) / 4);
    }
  }
});

test('shapley: malformed tables are refused', () => {
  assert.throws(() => shapleyValues({ K: 2, values: [new Float64Array(1)] }), /1 entries for K = 2 \(expected 2\^K = 4\)/);
  assert.throws(() => shapleyValues({ K: 1, values: [new Float64Array(2), new Float64Array(3)] }), /entry 1 has 3 behaviours, entry 0 has 2/);
  assert.throws(() => leaveOneOutFromTable({ K: 9, values: [] }), /K must be an integer in 1\.\.8/);
});
