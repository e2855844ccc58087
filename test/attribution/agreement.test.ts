import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement, agreementStats, averageRanks, kendallTau, pearson, spearman, stageOrderAgreement } from '../../src/attribution/agreement.js';

const close = (a: number, b: number, tol = 1e-14) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// x and y with ties in y; values computed by hand (scipy.stats agrees to 1e-15).
const x = [1, 2, 3, 4, 5];
const y = [2, 4, 5, 4, 5];

test('pearson: hand-computed r', () => {
  // centred: dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]; sxy = 6, sxx = 10, syy = 6.
  close(pearson(x, y).value, 6 / Math.sqrt(60));
  close(pearson(x, x.map((v) => -3 * v + 1)).value, -1);
  assert.equal(pearson(x, y).reason, undefined);
});

test('averageRanks: ties share the mean of their ranks', () => {
  assert.deepEqual(Array.from(averageRanks([3, 1, 3, 2])), [3.5, 1, 3.5, 2]);
  assert.deepEqual(Array.from(averageRanks(y)), [1, 2.5, 4.5, 2.5, 4.5]);
  assert.deepEqual(Array.from(averageRanks([7, 7, 7])), [2, 2, 2]);
});

test('spearman: Pearson of average ranks, with ties', () => {
  // ranks of y: [1, 2.5, 4.5, 2.5, 4.5]; sxy = 7, sxx = 10, syy = 9.
  close(spearman(x, y).value, 7 / Math.sqrt(90));
  // Monotone but non-linear: rho = 1 while r < 1.
  const cubes = x.map((v) => v ** 3);
  close(spearman(x, cubes).value, 1);
  assert.ok(pearson(x, cubes).value < 1);
});

test('kendallTau: tau-b with ties', () => {
  // 10 pairs: 7 concordant, 1 discordant, 2 tied in y: (7 - 1) / sqrt(10 * 8).
  close(kendallTau(x, y).value, 6 / Math.sqrt(80));
  close(kendallTau([1, 2, 3], [3, 2, 1]).value, -1);
});

test('correlations: degenerate inputs give NaN with a reason', () => {
  const constant = pearson([1, 1, 1], [1, 2, 3], ['the estimate', 'the truth']);
  assert.ok(Number.isNaN(constant.value));
  assert.equal(constant.reason, 'the estimate is constant');
  assert.equal(spearman([1, 2, 3], [4, 4, 4]).reason, 'y is constant');
  assert.equal(kendallTau([4, 4], [4, 4]).reason, 'x and y are both constant');
  assert.equal(pearson([1], [2]).reason, '1 value (needs at least 2)');
  assert.equal(pearson([], []).reason, '0 values (needs at least 2)');
  assert.equal(spearman([1, NaN, 3], [1, 2, 3]).reason, 'non-finite value at index 1');
  assert.throws(() => pearson([1, 2], [1, 2, 3]), /different lengths/);
});

test('agreementStats: sign agreement and relative error of the mean', () => {
  const s = agreementStats([1, -1, 0, 2], [2, -3, 0, -1]);
  assert.equal(s.n, 4);
  assert.equal(s.signAgreement, 0.75); // the last one disagrees; 0 matches 0
  assert.equal(s.meanEstimate, 0.5);
  assert.equal(s.meanTruth, -0.5);
  assert.equal(s.relativeMeanError, 2);
  close(s.pearson, pearson([1, -1, 0, 2], [2, -3, 0, -1]).value);
  close(s.spearman, spearman([1, -1, 0, 2], [2, -3, 0, -1]).value);
  assert.deepEqual(s.undefinedBecause, {});
  const exact = agreementStats([0.1, -0.2, 0.3], [0.1, -0.2, 0.3]);
  assert.equal(exact.pearson, 1);
  assert.equal(exact.signAgreement, 1);
  assert.equal(exact.relativeMeanError, 0);
});

test('agreementStats: degenerate inputs are reported, not thrown', () => {
  const flat = agreementStats([0.5, 0.5, 0.5], [1, 2, 3]);
  assert.ok(Number.isNaN(flat.pearson) && Number.isNaN(flat.spearman));
  assert.deepEqual(flat.undefinedBecause, { pearson: 'the estimate is constant', spearman: 'the estimate is constant' });
  assert.equal(flat.signAgreement, 1);
  const zeroMean = agreementStats([1, 1], [-1, 1]);
  assert.ok(Number.isNaN(zeroMean.relativeMeanError));
  assert.equal(zeroMean.undefinedBecause.relativeMeanError, 'the mean true effect is 0');
  assert.equal(agreementStats([0, 0], [-1, 1]).relativeMeanError, 0);
  const bad = agreementStats([1, Infinity], [1, 2]);
  assert.ok(Number.isNaN(bad.signAgreement) && Number.isNaN(bad.relativeMeanError));
  assert.equal(bad.undefinedBecause.signAgreement, 'non-finite values');
  const empty = agreementStats([], []);
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.pearson) && Number.isNaN(empty.signAgreement));
  assert.throws(() => agreementStats([1], [1, 2]), /1 estimates for 2 true effects/);
});

test('stageOrderAgreement: order of the mean effects, ties in the truth left free', () => {
  const same = stageOrderAgreement([0.1, 0.5, -0.2], [0.2, 0.3, -1]);
  assert.deepEqual(same.truth, [1, 0, 2]);
  assert.deepEqual(same.estimate, [1, 0, 2]);
  assert.equal(same.sameOrder, true);
  assert.equal(same.kendallTau, 1);
  const swapped = stageOrderAgreement([0.4, 0.3, -0.2], [0.2, 0.3, -1]);
  assert.equal(swapped.sameOrder, false);
  close(swapped.kendallTau, 1 / 3); // 2 concordant, 1 discordant of 3 pairs
  const tied = stageOrderAgreement([0.1, 0.3, -1], [0.2, 0.2, -1]);
  assert.equal(tied.sameOrder, true);
  close(tied.kendallTau, 2 / Math.sqrt(6));
  const one = stageOrderAgreement([0.1], [0.2]);
  assert.equal(one.sameOrder, true);
  assert.ok(Number.isNaN(one.kendallTau));
  assert.equal(one.undefinedBecause, '1 value (needs at least 2)');
});

test('agreement: per stage, pooled over stages, and the stage order', () => {
  const truth = [[1, 2, 3], [-1, -2, -4], [0.5, 0.1, 0.3]];
  const estimate = [[1.1, 2.2, 2.9], [-0.8, -2.5, -3], [0.4, 0.3, 0.2]];
  const a = agreement(estimate, truth);
  assert.equal(a.perStage.length, 3);
  a.perStage.forEach((s, k) => assert.deepEqual(s, agreementStats(estimate[k], truth[k])));
  assert.deepEqual(a.pooled, agreementStats(estimate.flat(), truth.flat()));
  assert.equal(a.pooled.n, 9);
  assert.deepEqual(a.stageOrder.truth, [0, 2, 1]);
  assert.equal(a.stageOrder.sameOrder, true);
  assert.equal(a.stageOrder.kendallTau, 1);
  assert.throws(() => agreement(estimate.slice(1), truth), /2 estimated stages for 3 true stages/);
});
