import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import {
  BEHAVIOUR_FORMS,
  compileBehaviours,
  formatBehaviourSpec,
  parseBehaviourSpec,
  validateBehaviourSpec,
  type BehaviourSpec,
} from '../../src/attribution/behaviours.js';
import type { Dataset } from '../../src/data/index.js';
import { createModel } from '../../src/nn/index.js';
import { Rng, randn, scalar, tensor, type Tensor } from '../../src/tensor/index.js';
import { fdJvp, relErr } from '../helpers/fd.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

// 12 examples, 3 classes; colour has a named but empty group (blue), site has unnamed codes.
const n = 12;
const rng = new Rng(7);
const data: Dataset = {
  name: 'toy',
  n,
  featureShape: [4],
  x: Float64Array.from({ length: n * 4 }, () => rng.normal()),
  y: Int32Array.from({ length: n }, (_, i) => i % 3),
  numClasses: 3,
  groups: {
    colour: Int32Array.from({ length: n }, (_, i) => (i < 5 ? 0 : 1)),
    site: Int32Array.from({ length: n }, (_, i) => [0, 1, 3][i % 3]),
  },
  groupNames: { colour: ['red', 'green', 'blue'] },
  source: 'test',
};
const model = createModel({ kind: 'mlp', inputDim: 4, hidden: [5], numClasses: 3, activation: 'tanh' });
const params = model.init(new Rng(3)).map((p) => T.mul(p, 2));

/** Logits as plain rows, and the per-example quantities computed by hand from them. */
const logits = T.noGrad(() => model.forward(params, tensor(Array.from({ length: n }, (_, i) => Array.from(data.x.subarray(i * 4, i * 4 + 4))))));
const rows = Array.from({ length: n }, (_, i) => Array.from(logits.data.subarray(i * 3, i * 3 + 3)));
const lse = (r: number[]) => Math.max(...r) + Math.log(r.reduce((s, v) => s + Math.exp(v - Math.max(...r)), 0));
const loss = rows.map((r, i) => lse(r) - r[data.y[i]]);
const marginOf = rows.map((r, i) => r[data.y[i]] - Math.max(...r.filter((_, j) => j !== data.y[i])));
const prob = rows.map((r, i) => Math.exp(r[data.y[i]] - lse(r)));
const meanOver = (v: number[], idx: number[]) => idx.reduce((s, i) => s + v[i], 0) / idx.length;
const where = (col: string, code: number) => Array.from(data.groups![col]).flatMap((c, i) => (c === code ? [i] : []));

test('behaviours: values match direct computation, names are readable', () => {
  const specs: BehaviourSpec[] = [
    { kind: 'exampleLoss' },
    { kind: 'exampleMargin' },
    { kind: 'exampleProbability' },
    { kind: 'meanLoss' },
    { kind: 'groupLoss', column: 'colour' },
    { kind: 'groupAccuracy', column: 'colour', group: 'green' },
    { kind: 'worstGroupLoss', column: 'site' },
    { kind: 'groupGap', column: 'colour', a: 'red', b: 1 },
  ];
  const set = compileBehaviours(specs, model, data, 'float64');
  const red = where('colour', 0);
  const green = where('colour', 1);
  const siteMeans = [0, 1, 3].map((c) => meanOver(loss, where('site', c)));
  const expected = [
    ...loss,
    ...marginOf,
    ...prob,
    loss.reduce((a, b) => a + b) / n,
    meanOver(loss, red),
    meanOver(loss, green),
    meanOver(prob, green),
    Math.max(...siteMeans),
    meanOver(loss, red) - meanOver(loss, green),
  ];
  const v = set.evaluate(params);
  assert.deepEqual(v.shape, [expected.length]);
  assert.equal(v.dtype, 'float64');
  expected.forEach((e, i) => close(v.data[i], e));
  assert.deepEqual(Array.from(set.values(params)), Array.from(v.data));
  assert.equal(set.names.length, expected.length);
  assert.deepEqual(set.names.slice(0, 2), ['loss[0]', 'loss[1]']);
  assert.equal(set.names[n], 'margin[0]');
  assert.equal(set.names[2 * n], 'probability[0]');
  assert.deepEqual(set.names.slice(3 * n), [
    'meanLoss',
    'groupLoss[colour=red]',
    'groupLoss[colour=green]',
    'groupAccuracy[colour=green]',
    'worstGroupLoss[site]',
    'groupGap[colour=red,green]',
  ]);
  assert.equal(set.specs[3 * n + 2], specs[4]);
  assert.equal(set.better[0], 'lower');
  assert.equal(set.better[n], 'higher');
  assert.equal(set.better[3 * n + 3], 'higher');
});

test('behaviours: group values as codes, names, or codes written as text', () => {
  const byName = compileBehaviours([{ kind: 'groupLoss', column: 'colour', group: 'green' }], model, data, 'float64');
  const byCode = compileBehaviours([{ kind: 'groupLoss', column: 'colour', group: 1 }], model, data, 'float64');
  const byText = compileBehaviours([{ kind: 'groupLoss', column: 'colour', group: '1' }], model, data, 'float64');
  assert.deepEqual(byName.names, byCode.names);
  assert.deepEqual(byName.names, byText.names);
  assert.equal(byName.values(params)[0], byCode.values(params)[0]);
  // Unnamed columns name groups by code; one behaviour per present group.
  assert.deepEqual(compileBehaviours([{ kind: 'groupLoss', column: 'site' }], model, data, 'float64').names, ['groupLoss[site=0]', 'groupLoss[site=1]', 'groupLoss[site=3]']);
});

test('behaviours: errors name the column, the group and what exists', () => {
  const compile = (s: BehaviourSpec) => () => compileBehaviours([s], model, data, 'float64');
  assert.throws(compile({ kind: 'groupLoss', column: 'shape' }), /behaviours\[0\].*no group column "shape" \(columns: colour, site\)/);
  assert.throws(compile({ kind: 'groupLoss', column: 'colour', group: 'purple' }), /no group "purple" \(groups: 0 \(red\), 1 \(green\)\)/);
  assert.throws(compile({ kind: 'groupLoss', column: 'site', group: 2 }), /column "site" has no group 2 \(groups: 0, 1, 3\)/);
  assert.throws(compile({ kind: 'groupAccuracy', column: 'colour', group: 'blue' }), /group colour=blue has no examples/);
  assert.throws(compile({ kind: 'groupGap', column: 'colour', a: 'red', b: 0 }), /same group/);
  assert.throws(() => compileBehaviours([], model, data, 'float64'), /no behaviours/);
  assert.throws(() => compileBehaviours([{ kind: 'meanLoss' }, { kind: 'meanLoss' }], model, data, 'float64'), /"meanLoss" is listed twice/);
  assert.throws(() => compileBehaviours([{ kind: 'meanloss' } as unknown as BehaviourSpec], model, data, 'float64'), /behaviours\[0\]\.kind: unknown behaviour kind "meanloss"/);
});

test('behaviours: custom behaviours, scalar and vector, next to built-in ones', () => {
  const set = compileBehaviours(
    [
      { kind: 'meanLoss' },
      { name: 'sumSquares', fn: (_m, ps) => T.sum(T.mul(ps[0], ps[0])), better: 'lower' },
      { name: 'firstLogits', size: 3, fn: (m, ps, d) => T.reshape(T.take(m.forward(ps, tensor([Array.from(d.x.subarray(0, 4))])), new Int32Array([0, 1, 2]), [3]), [3]) },
    ],
    model,
    data,
    'float64',
  );
  assert.deepEqual(set.names, ['meanLoss', 'sumSquares', 'firstLogits[0]', 'firstLogits[1]', 'firstLogits[2]']);
  const v = set.values(params);
  close(v[1], Array.from(params[0].data).reduce((s, x) => s + x * x, 0));
  rows[0].forEach((z, j) => close(v[2 + j], z));
  assert.deepEqual(set.better, ['lower', 'lower', 'unknown', 'unknown', 'unknown']);
  const wrong = compileBehaviours([{ name: 'pair', size: 2, fn: () => scalar(1) }], model, data, 'float64');
  assert.throws(() => wrong.values(params), /returned 1 values, expected 2/);
});

test('behaviours: the vector is differentiable; its JVP matches finite differences', () => {
  const set = compileBehaviours(
    [{ kind: 'exampleLoss' }, { kind: 'exampleMargin' }, { kind: 'groupAccuracy', column: 'colour' }, { kind: 'worstGroupLoss', column: 'colour' }, { kind: 'groupGap', column: 'site', a: 0, b: 3 }],
    model,
    data,
    'float64',
  );
  const v = params.map((p, i) => randn(p.shape, new Rng(100 + i)));
  const { tangent } = T.jvp((ps) => set.evaluate(ps), params, v);
  const fd = fdJvp((ps) => [set.evaluate(ps)], params, v);
  assert.ok(relErr([tangent.data], fd) < 1e-7, `relative error ${relErr([tangent.data], fd)}`);
});

test('behaviours: the worst-group gradient is the worst group\'s', () => {
  const worst = compileBehaviours([{ kind: 'worstGroupLoss', column: 'site' }], model, data, 'float64');
  const groups = compileBehaviours([{ kind: 'groupLoss', column: 'site' }], model, data, 'float64');
  const g = groups.values(params);
  const argmax = g.indexOf(Math.max(...g));
  const pick = (set: typeof worst, i: number) => (ps: Tensor[]) => T.take(set.evaluate(ps), new Int32Array([i]), []);
  const gw = T.grad(pick(worst, 0))(params);
  const gg = T.grad(pick(groups, argmax))(params);
  gw.forEach((t, i) => t.data.forEach((x, j) => close(x, gg[i].data[j])));
});

test('parseBehaviourSpec: every CLI form, and formatBehaviourSpec inverts it', () => {
  const cases: [string, BehaviourSpec][] = [
    ['exampleLoss', { kind: 'exampleLoss' }],
    ['exampleMargin', { kind: 'exampleMargin' }],
    ['exampleProbability', { kind: 'exampleProbability' }],
    ['meanLoss', { kind: 'meanLoss' }],
    ['groupLoss:colour', { kind: 'groupLoss', column: 'colour' }],
    ['groupLoss:colour=red', { kind: 'groupLoss', column: 'colour', group: 'red' }],
    ['groupAccuracy:group=y<5/red', { kind: 'groupAccuracy', column: 'group', group: 'y<5/red' }],
    ['worstGroupLoss:group', { kind: 'worstGroupLoss', column: 'group' }],
    ['groupGap:colour:red:green', { kind: 'groupGap', column: 'colour', a: 'red', b: 'green' }],
  ];
  for (const [text, spec] of cases) {
    assert.deepEqual(parseBehaviourSpec(text), spec);
    assert.equal(formatBehaviourSpec(spec), text);
  }
  assert.equal(formatBehaviourSpec({ kind: 'groupLoss', column: 'site', group: 3 }), 'groupLoss:site=3');
});

test('parseBehaviourSpec: errors say what is wrong and list the valid forms', () => {
  const forms = BEHAVIOUR_FORMS.join(', ');
  for (const [text, why] of [
    ['loss', /unknown kind "loss"/],
    ['meanLoss:colour', /meanLoss takes no arguments/],
    ['groupLoss', /groupLoss takes COLUMN or COLUMN=VALUE/],
    ['groupLoss:', /missing column/],
    ['groupLoss:colour=', /missing group value/],
    ['worstGroupLoss', /worstGroupLoss takes one COLUMN/],
    ['groupGap:colour:red', /groupGap takes COLUMN:A:B/],
  ] as const) {
    assert.throws(() => parseBehaviourSpec(text), (e: Error) => why.test(e.message) && e.message.includes(forms), text);
  }
});

test('validateBehaviourSpec: structure checked, errors name the field', () => {
  assert.deepEqual(validateBehaviourSpec({ kind: 'groupGap', column: 'c', a: 0, b: 'x' }, 'w'), { kind: 'groupGap', column: 'c', a: 0, b: 'x' });
  assert.deepEqual(validateBehaviourSpec({ kind: 'groupLoss', column: 'c' }, 'w'), { kind: 'groupLoss', column: 'c' });
  assert.throws(() => validateBehaviourSpec('meanLoss', 'evaluation.behaviours[0]'), /^Error: evaluation.behaviours\[0\]: a behaviour is an object/);
  assert.throws(() => validateBehaviourSpec({ kind: 'nope' }, 'w'), /w\.kind: unknown behaviour kind "nope" \(known: exampleLoss, /);
  assert.throws(() => validateBehaviourSpec({ kind: 'meanLoss', column: 'c' }, 'w'), /w\.column: not a field of a meanLoss behaviour \(it takes no fields\)/);
  assert.throws(() => validateBehaviourSpec({ kind: 'groupLoss', colum: 'c' }, 'w'), /w\.colum: not a field .* \(fields: column, group\)/);
  assert.throws(() => validateBehaviourSpec({ kind: 'worstGroupLoss' }, 'w'), /w\.column: required/);
  assert.throws(() => validateBehaviourSpec({ kind: 'groupLoss', column: '' }, 'w'), /w\.column: must be a non-empty/);
  assert.throws(() => validateBehaviourSpec({ kind: 'groupLoss', column: 'c', group: -1 }, 'w'), /w\.group: a group value is/);
  assert.throws(() => validateBehaviourSpec({ kind: 'groupGap', column: 'c', a: 1.5, b: 0 }, 'w'), /w\.a: a group value/);
});
