import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateBehaviourSpec } from '../../src/attribution/behaviourSpec.js';
import { attribute, writeAttribution } from '../../src/attribution/index.js';
import { readDatasetFile } from '../../src/data/datasetFile.js';
import { buildRecipe } from '../../src/data/recipes.js';
import { decodeSafetensors, encodeSafetensors, readFileBounded, readJsonFile } from '../../src/io/index.js';
import { validateModelConfig } from '../../src/nn/config.js';
import { validateOptimizerSpec } from '../../src/optim/index.js';
import { loadManifest, openRun, parseManifest, ResourceLimitError, train } from '../../src/pipeline/index.js';
import { blobsManifest, scratch, writeJson } from './helpers.js';

// Issue 12, items 5-7, 9-11: every file boundary validates what it reads, lookups are own
// properties only, reads are bounded, resources are checked before anything is allocated, and
// engine messages (TypeError, SyntaxError, RangeError) never reach the user.

const STAGES = [{ name: 's', data: 'a', steps: 4, batchSize: 8, optimizer: { kind: 'sgd', lr: 0.1 } }];
const base = (extra: Record<string, unknown> = {}, stages: unknown[] = STAGES) => blobsManifest(stages as Record<string, unknown>[], extra);
const manifestError = (field: string, re: RegExp) => (e: unknown) =>
  e instanceof Error && e.name === 'ManifestError' && e.message.includes(`- ${field}: `) && re.test(e.message);

// ---- 5. own properties only ----

test('prototype names are not data sets, recipes or behaviour fields', () => {
  assert.throws(() => parseManifest(base({ evaluation: { data: 'constructor' } })), manifestError('evaluation.data', /unknown data set "constructor"/));
  assert.throws(() => parseManifest(base({}, [{ ...STAGES[0], data: 'toString' }])), manifestError('stages[0].data', /unknown data set "toString"/));
  assert.throws(() => buildRecipe('toString', {}, 'datasets.a'), /datasets\.a\.recipe: unknown recipe "toString"/);
  const protoKeyed = JSON.parse('{"__proto__": {"recipe": "blobs", "options": {"n": 10, "dim": 8, "numClasses": 3}}}');
  assert.throws(() => parseManifest(base({ datasets: { ...protoKeyed, a: { recipe: 'blobs', options: { n: 10, dim: 8, numClasses: 3 } } } })), manifestError('datasets.__proto__', /reserved/));
  assert.throws(() => validateBehaviourSpec({ kind: 'meanLoss', constructor: 1 }, 'b'), /b\.constructor: not a field of a meanLoss behaviour/);
});

// ---- 6. bounded reads, no echo ----

test('device files and FIFOs are refused; oversized files too; JSON errors never quote content', () => {
  assert.throws(() => readFileBounded('/dev/zero'), /\/dev\/zero: not a regular file \(a character device\)/);
  const dir = scratch();
  const secret = join(dir, 'passwd');
  writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
  assert.throws(() => readJsonFile(secret), (e: unknown) => e instanceof Error && /not valid JSON/.test(e.message) && !e.message.includes('root:x'));
  assert.throws(() => readFileBounded(secret, 10), /over the 10-byte limit/);
  const deep = join(dir, 'deep.json');
  writeFileSync(deep, '['.repeat(100000) + ']'.repeat(100000));
  assert.throws(() => readJsonFile(deep), /nested deeper than 64 levels/);
  // Through a manifest: a batch list at /dev/urandom and a subset file quoting /etc/passwd-like text.
  const m = writeJson(join(dir, 'm.json'), base({}, [{ ...STAGES[0], batchOrder: { file: '/dev/urandom' } }]));
  assert.throws(() => train(loadManifest(m), { out: join(dir, 'r1') }), /\/dev\/urandom: not a regular file/);
  const m2 = writeJson(join(dir, 'm2.json'), base({}, [{ ...STAGES[0], subset: { file: secret } }]));
  assert.throws(() => train(loadManifest(m2), { out: join(dir, 'r2') }), (e: unknown) => e instanceof Error && e.message.includes('stages[0].subset') && !e.message.includes('root:x'));
  assert.equal(existsSync(join(dir, 'r1')), false, 'nothing written to --out');
});

// ---- 7. resource limits before allocation ----

test('huge models, batches, data sets and step counts are refused before anything is written', () => {
  const dir = scratch();
  const cases: [Record<string, unknown>, unknown[], RegExp][] = [
    [{ model: { kind: 'mlp', inputDim: 8, hidden: [100000, 100000], numClasses: 3 } }, STAGES, /^model: 1\.00e\+10 parameters need about/],
    [{ model: { kind: 'mlp', inputDim: 8, hidden: [30000, 30000], numClasses: 3 } }, STAGES, /^model: /],
    [{}, [{ ...STAGES[0], steps: 1e9 }], /^stages\[0\]\.steps: 1000000000 steps of 8 examples/],
    [{}, [{ ...STAGES[0], steps: undefined, epochs: 1e9 }], /^stages\[0\]\.epochs: /],
    [{ datasets: { a: { recipe: 'blobs', options: { n: 100, dim: 1e9, numClasses: 3 } }, b: { recipe: 'blobs', options: { n: 10, dim: 8, numClasses: 3 } }, test: { recipe: 'blobs', options: { n: 10, dim: 8, numClasses: 3 } } } }, STAGES, /^datasets\.a: the data set needs about/],
    [{ model: { kind: 'cnn', inputShape: [1, 64, 64], channels: [1000000], numClasses: 3 } }, [{ ...STAGES[0], batchSize: 64 }], /^(model|stages\[0\]\.batchSize): /],
  ];
  cases.forEach(([extra, stages, re], i) => {
    const m = writeJson(join(dir, `m${i}.json`), base(extra, stages));
    const out = join(dir, `run${i}`);
    assert.throws(() => train(loadManifest(m), { out }), (e: unknown) => e instanceof ResourceLimitError && re.test(e.message) && /--allow-large/.test(e.message), `case ${i}`);
    assert.equal(existsSync(out), false, `case ${i}: --out must not be created`);
  });
  // Integers beyond 2^53 are refused where they are read.
  assert.throws(() => validateModelConfig({ kind: 'mlp', inputDim: 2 ** 53 + 2, hidden: [], numClasses: 2 }, 'model'), /model\.inputDim: must be at most 2\^53 - 1 \(a safe integer\)/);
  assert.throws(() => parseManifest(base({}, [{ ...STAGES[0], steps: 2 ** 53 + 2 }])), manifestError('stages[0].steps', /./));
  // A path that cannot be a directory fails at once, with the project's message.
  const m = writeJson(join(dir, 'ok.json'), base());
  assert.throws(() => train(loadManifest(m), { out: '/proc/stagecredit-x' }), /\/proc\/stagecredit-x: cannot create the run directory/);
});

// ---- 9. unchecked values ----

test('sample weights: negative, NaN (null), strings: named with field, file and index', () => {
  const dir = scratch();
  for (const [weights, re] of [[[1, -1], /\[1\]: a sample weight must be a finite number >= 0/], [[1, null], /\[1\]: a sample weight/], [['1', 1], /\[0\]: a sample weight/]] as const) {
    const file = join(dir, 'w.json');
    writeFileSync(file, JSON.stringify([...weights, ...Array(118).fill(1)]));
    const m = writeJson(join(dir, 'm.json'), base({}, [{ ...STAGES[0], sampleWeights: { file } }]));
    assert.throws(() => train(loadManifest(m), { out: join(dir, 'r') }), (e: unknown) => e instanceof Error && e.message.includes('stages[0].sampleWeights') && e.message.includes(file) && re.test(e.message));
  }
});

test('evaluation behaviours and groupColumn are checked before training', () => {
  const dir = scratch();
  assert.throws(() => parseManifest(base({ evaluation: { data: 'test', behaviours: [{ kind: 'bogus' }] } })), manifestError('evaluation.behaviours[0].kind', /unknown behaviour kind/));
  const m = writeJson(join(dir, 'm.json'), base({ evaluation: { data: 'test', groupColumn: 'colour' } }));
  assert.throws(() => train(loadManifest(m), { out: join(dir, 'r') }), manifestError('evaluation.groupColumn', /no group column "colour"/));
  const m2 = writeJson(join(dir, 'm2.json'), base({ evaluation: { data: 'test', behaviours: [{ kind: 'worstGroupLoss', column: 'group' }] } }));
  assert.throws(() => train(loadManifest(m2), { out: join(dir, 'r2') }), manifestError('evaluation.behaviours[0].column', /no group column "group"/));
  assert.equal(existsSync(join(dir, 'r2')), false);
});

// ---- 10. engine messages become the project's own ----

test('deep nesting, bad JSON and null files give errors naming the file and field', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100000; i++) deep = [deep];
  assert.throws(() => validateModelConfig({ kind: 'mlp', inputDim: 3, hidden: deep, numClasses: 2 }, 'model'), /model\.hidden\[0\]: must be a positive integer/);
  assert.throws(() => validateOptimizerSpec({ kind: 'sgd', lr: deep }, 'opt'), /opt\.lr must be a finite number >= 0 \(got \[\.\.\.\]\)/);
  const dir = scratch();
  // A data set file with broken metadata JSON.
  const file = join(dir, 'd.safetensors');
  const x = { dtype: 'F64' as const, shape: [2, 1], data: new Float64Array(2) };
  const y = { dtype: 'I32' as const, shape: [2], data: new Int32Array(2) };
  writeFileSync(file, encodeSafetensors({ x, y }, { 'stagecredit.dataset': '{"name": ' }));
  assert.throws(() => readDatasetFile(file), (e: unknown) => e instanceof Error && e.message.startsWith(`${file} metadata "stagecredit.dataset": not valid JSON`));
  writeFileSync(file, encodeSafetensors({ x, y }, { 'stagecredit.dataset': '{"name": "d", "featureShape": "x", "numClasses": 2, "source": "t"}' }));
  assert.throws(() => readDatasetFile(file), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: metadata "stagecredit.dataset".featureShape: `));
  // run.json = null, and an attribution.json with missing fields.
  const m = writeJson(join(dir, 'm.json'), base());
  const out = join(dir, 'run');
  train(loadManifest(m), { out });
  const run = openRun(out);
  writeAttribution(run, attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] }));
  return import('../../src/report/index.js').then(({ collectResults }) => {
    writeFileSync(join(out, 'attribution.json'), JSON.stringify({ format: 'stagecredit-attribution', version: 1, run: null }));
    assert.throws(() => collectResults(out), /attribution\.json: run\.stages, behaviours\.names or estimates is missing or malformed; recreate it with `stagecredit attribute/);
    writeFileSync(join(out, 'run.json'), 'null');
    assert.throws(() => openRun(out), /run\.json: not a valid run status file \(\(root\): /);
    assert.throws(() => collectResults(out), /run\.json: not a valid run status file/);
  });
});

// ---- 11. minor ----

test('attribute with no estimator is refused; a tensor named "" is refused by the decoder too', () => {
  const dir = scratch();
  const m = writeJson(join(dir, 'm.json'), base());
  const out = join(dir, 'run');
  train(loadManifest(m), { out });
  assert.throws(() => attribute(openRun(out), { estimators: [] }), /no estimator chosen/);
  const header = JSON.stringify({ '': { dtype: 'U8', shape: [0], data_offsets: [0, 0] } });
  const bytes = new Uint8Array(8 + header.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(Buffer.from(header), 8);
  assert.throws(() => decodeSafetensors(bytes, 'f'), { name: 'SafetensorsError', message: 'f: tensor names must be non-empty' });
  mkdirSync(join(out, 'report.html'));
  return import('../../src/report/index.js').then(({ writeReport }) => {
    writeAttribution(openRun(out), attribute(openRun(out), { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] }));
    // report.html cannot be written (a directory is in the way): results.json is not written either.
    assert.throws(() => writeReport(out), /report\.html/);
    assert.equal(existsSync(join(out, 'results.json')), false);
  });
});
