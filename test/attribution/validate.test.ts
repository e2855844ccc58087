import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { attribute, validate } from '../../src/attribution/index.js';
import { blobRun, SGD_VARIANTS, stagesFor } from './helpers.js';

const mlp = { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' };

test('validate checks the behaviours a given attribution was computed for', async () => {
  const run = blobRun({ model: mlp, stages: stagesFor(SGD_VARIANTS[0][1]) });
  const attribution = attribute(run, { estimators: ['hessian-free'], behaviours: [{ kind: 'meanLoss' }, { kind: 'exampleMargin' }] });
  assert.deepEqual(attribution.behaviours.specs, [{ kind: 'meanLoss' }, { kind: 'exampleMargin' }]);
  const v = await validate(run, { attribution });
  assert.deepEqual(v.behaviours.names, attribution.behaviours.names);
  assert.equal(v.truth.leaveOneOut[0].length, attribution.behaviours.names.length);
});

test('validate refuses an attribution of other behaviours, naming both', async () => {
  const run = blobRun({ model: mlp, stages: stagesFor(SGD_VARIANTS[0][1]) });
  const attribution = attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] });
  await assert.rejects(validate(run, { attribution, behaviours: [{ kind: 'exampleLoss' }] }),
    /validate: the attribution holds behaviours \[meanLoss\] but validation would compute \[loss\[0\], loss\[1\], loss\[2\], … 30 in all\]; pass the same behaviours to both/);
});

test('custom behaviours are not recorded as specs, so validation needs them passed again', () => {
  const run = blobRun({ model: mlp, stages: stagesFor(SGD_VARIANTS[0][1]) });
  const attribution = attribute(run, { estimators: ['task-vector'], behaviours: [{ name: 'zero', fn: (_m, p) => T.mul(T.sum(p[0]), 0) }] });
  assert.equal(attribution.behaviours.specs, null);
});
