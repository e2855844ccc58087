import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBehaviours } from '../../src/attribution/attribute.js';
import { topExamples } from '../../src/cases/topExamples.js';
import { blobRun, stagesFor } from '../attribution/helpers.js';

// Issue 11.12: the top examples show both tails, and the stage total they are parts of.

test('top examples: both tails, their order, and the stage total = examples + optimizer term', () => {
  const sgd = { kind: 'sgd', lr: 0.05, momentum: 0.9 };
  const run = blobRun({ stages: stagesFor([sgd, sgd, sgd]), evalN: 12 });
  const behaviours = runBehaviours(run, [{ kind: 'meanLoss' }]);
  const { top, note } = topExamples(run, 1, behaviours, 0, 8);
  assert.equal(note, null);
  const c = top!.examples.map((x) => x.contribution);
  const up = c.filter((v) => v > 0);
  const down = c.filter((v) => v < 0);
  assert.ok(up.length > 0 && down.length > 0, `both tails: ${c}`);
  assert.ok(up.length <= 4 && down.length <= 4);
  assert.deepEqual(c, [...up, ...down], 'positive tail first, then negative');
  assert.deepEqual(up, [...up].sort((a, b) => b - a));
  assert.deepEqual(down, [...down].sort((a, b) => a - b));
  assert.ok(Math.abs(top!.total! - (top!.examplesSum! + top!.optimizerTerm!)) < 1e-9 * Math.max(1, Math.abs(top!.total!)));
  assert.equal(top!.exampleCount, run.pipeline.stages[1].data.n);
});
