import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, ManifestError, parseManifest, resolvePipeline } from '../../src/pipeline/index.js';
import { scratch } from './helpers.js';

// One test per validation error, each with the exact message a user sees.

type Json = Record<string, any>;

function base(): Json {
  return {
    name: 'm',
    model: { kind: 'mlp', inputDim: 4, hidden: [5], numClasses: 3 },
    datasets: { a: { recipe: 'blobs', options: { n: 30, dim: 4, numClasses: 3, seed: 1 } } },
    stages: [
      { name: 's0', data: 'a', steps: 3, batchSize: 8, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } },
      { name: 's1', data: 'a', steps: 3, batchSize: 8, optimizer: { kind: 'sgd', lr: 0.1 } },
    ],
  };
}

/** parseManifest(edited base) must fail with exactly this one issue. */
function rejects(edit: (m: Json) => void, path: string, message: string): void {
  const m = base();
  edit(m);
  assert.throws(() => parseManifest(m, 'test.json'), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.deepEqual(e.issues, [{ path, message }]);
    assert.equal(e.message, `invalid pipeline manifest test.json:\n  - ${path || '(root)'}: ${message}`);
    return true;
  });
}

test('the base manifest is valid', () => {
  const m = parseManifest(base(), 'test.json');
  assert.equal(m.stages.length, 2);
  assert.equal(m.stages[1].optimizerState, 'reset');
});

test('unknown field at the top level', () => {
  rejects((m) => (m.seed = 3), '', 'Unrecognized key: "seed"');
});

test('unknown field in a stage', () => {
  rejects((m) => (m.stages[1].lr = 0.1), 'stages[1]', 'Unrecognized key: "lr"');
});

test('a stage with neither steps nor epochs', () => {
  rejects((m) => delete m.stages[0].steps, 'stages[0]', 'give exactly one of "steps" or "epochs"');
});

test('a stage with both steps and epochs', () => {
  rejects((m) => (m.stages[0].epochs = 2), 'stages[0]', 'give exactly one of "steps" or "epochs"');
});

test('both trainable and frozen', () => {
  rejects((m) => Object.assign(m.stages[1], { trainable: ['2.'], frozen: ['0.'] }), 'stages[1]', 'give at most one of "trainable" or "frozen"');
});

test('a stage naming an unknown data set', () => {
  rejects((m) => (m.stages[1].data = 'b'), 'stages[1].data', 'unknown data set "b" (known: a)');
});

test('an optimizer field that the kind does not have', () => {
  rejects(
    (m) => (m.stages[0].optimizer.betas = [0.9, 0.99]),
    'stages[0].optimizer.betas',
    'is not a field of a "sgd" optimizer (fields: kind, lr, momentum, dampening, nesterov, weightDecay, decoupledWeightDecay)',
  );
});

test('an optimizer field out of range', () => {
  rejects((m) => (m.stages[0].optimizer.momentum = 1), 'stages[0].optimizer.momentum', 'must be a number in [0, 1) (got 1)');
});

test('an explicit schedule of the wrong length (steps known from the manifest)', () => {
  rejects(
    (m) => (m.stages[0].schedule = { kind: 'explicit', lrs: [0.1, 0.05] }),
    'stages[0].schedule.lrs',
    'must have one lr per step: 3 entries (got 2)',
  );
});

test('an explicit schedule of the wrong length (steps known once the data is loaded)', () => {
  const m = base();
  delete m.stages[0].steps;
  Object.assign(m.stages[0], { epochs: 1, schedule: { kind: 'explicit', lrs: [0.1, 0.05] } });
  // 30 examples in batches of 8: 4 steps. The manifest alone cannot know that.
  const manifest = parseManifest(m, 'test.json');
  assert.throws(() => resolvePipeline({ manifest, baseDir: '/', path: 'test.json' }), {
    name: 'ManifestError',
    message: 'invalid pipeline manifest test.json:\n  - stages[0].schedule.lrs: must have one lr per step: 4 entries (got 2)',
  });
  m.stages[0].schedule.lrs = [0.4, 0.3, 0.2, 0.1];
  const ok = resolvePipeline({ manifest: parseManifest(m, 'test.json'), baseDir: '/', path: 'test.json' });
  assert.deepEqual([...ok.stages[0].lrs], [0.4, 0.3, 0.2, 0.1]);
});

test('carrying optimizer state into a different optimizer kind', () => {
  rejects(
    (m) => Object.assign(m.stages[1], { optimizer: { kind: 'adamw', lr: 0.01 }, optimizerState: 'carry' }),
    'stages[1].optimizerState',
    'cannot carry sgd state into an optimizer of kind adamw',
  );
});

test('carrying optimizer state into the first stage', () => {
  rejects((m) => (m.stages[0].optimizerState = 'carry'), 'stages[0].optimizerState', 'the first stage has no optimizer state to carry');
});

test('several problems are reported together', () => {
  const m = base();
  m.stages[0].data = 'nope';
  delete m.stages[1].steps;
  assert.throws(() => parseManifest(m, 'test.json'), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.deepEqual(e.issues.map((i) => i.path), ['stages[0].data', 'stages[1]']);
    return true;
  });
});

test('a manifest file that does not exist', () => {
  const path = join(scratch(), 'missing.json');
  assert.throws(() => loadManifest(path), {
    name: 'ManifestError',
    message: `invalid pipeline manifest ${path}:\n  - (root): cannot read file (ENOENT)`,
  });
});

test('a manifest file that is not valid JSON', () => {
  const path = join(scratch(), 'broken.json');
  const text = '{"name": "m",';
  writeFileSync(path, text);
  // Where, not what: the message never quotes the file (a path to /etc/passwd must not print it).
  assert.throws(() => loadManifest(path), (e: unknown) => e instanceof Error && e.name === 'ManifestError'
    && new RegExp(`^invalid pipeline manifest ${path}:\n  - \\(root\\): not valid JSON \\((error at character \\d+|malformed or truncated)\\)$`).test(e.message)
    && !e.message.includes('"name"'));
});
