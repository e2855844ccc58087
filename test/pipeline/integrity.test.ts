import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { attribute, writeAttribution } from '../../src/attribution/index.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from '../../src/io/index.js';
import {
  acquireRunLock, gatherBatch, LOCK_FILE, LossMonitor, loadManifest, openRun, RunLockedError, train, verifyRun,
  type RunStatus,
} from '../../src/pipeline/index.js';
import { blobsManifest, REPO_ROOT, scratch, writeJson } from './helpers.js';

// Issue 12, items 1-4 and 9 (run.json status), 11: a run directory is one run's, and every file in
// it is checked against what training recorded. Each test below fails without its fix.

const TWO_STAGES = [
  { name: 'pretrain', data: 'a', steps: 8, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } },
  { name: 'finetune', data: 'b', steps: 6, batchSize: 16, optimizer: { kind: 'adamw', lr: 0.01 } },
];

function trained(stages = TWO_STAGES, extra: Record<string, unknown> = {}) {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(stages, extra));
  const out = join(dir, 'run');
  const result = train(loadManifest(manifest), { out });
  return { dir, manifest, out, result };
}

const readStatus = (out: string) => JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunStatus;
const writeStatus = (out: string, s: RunStatus) => writeFileSync(join(out, 'run.json'), JSON.stringify(s));

/** A pid that existed and has exited (a dead process's lock). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/** Rewrites a safetensors file's metadata entry through `edit` (tensors unchanged). */
function editMetadata(path: string, key: string, edit: (meta: Record<string, unknown>) => unknown): void {
  const { tensors, metadata } = readSafetensors(path);
  writeSafetensors(path, tensors, { ...metadata, [key]: JSON.stringify(edit(JSON.parse(metadata[key]) as Record<string, unknown>)) });
}

// ---- 1. the lock ----------------------------------------------------------------------------

test('a live process holding the lock: train refuses, naming the owner; nothing is written', () => {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(TWO_STAGES));
  const out = join(dir, 'run');
  // Our parent (the test runner) is alive and is not us.
  mkdirSync(out);
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), command: 'train', startedAt: '2026-01-01T00:00:00.000Z' }));
  assert.throws(() => train(loadManifest(manifest), { out }), (e: unknown) => e instanceof RunLockedError
    && e.message.includes(`in use by \`stagecredit train\` (pid ${process.ppid}`));
  assert.deepEqual(readdirSync(out), [LOCK_FILE]);
});

test('a stale lock of a dead process is recognised, reported and taken over', () => {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(TWO_STAGES));
  const out = join(dir, 'run');
  mkdirSync(out);
  const pid = deadPid();
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host: hostname(), command: 'train', startedAt: 'earlier' }));
  const notices: string[] = [];
  const r = train(loadManifest(manifest), { out, onNotice: (m) => notices.push(m) });
  assert.equal(r.status.status, 'complete');
  assert.equal(r.replacedStaleLock?.pid, pid);
  assert.match(notices.join('\n'), new RegExp(`stale lock of \`stagecredit train\` \\(pid ${pid}.*no longer running`));
  assert.equal(existsSync(join(out, LOCK_FILE)), false, 'the lock is released when train returns');
});

test('a run killed mid-training reads as interrupted (dead lock), not "running"', () => {
  const { out } = trained();
  const s = readStatus(out);
  writeStatus(out, { ...s, status: 'running' });
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'train', startedAt: 'earlier' }));
  assert.throws(() => openRun(out), /the run was interrupted \(run\.json says running, but no process is training it.*resume it with `stagecredit train MANIFEST --out/);
});

/** Two `train` processes on one directory with different manifests, started together. */
async function race(trial: number): Promise<{ codes: (number | null)[]; stderr: string[]; out: string; manifests: string[] }> {
  const dir = scratch();
  const out = join(dir, 'run');
  const manifests = [0, 1].map((i) => writeJson(join(dir, `p${i}.json`), blobsManifest(
    TWO_STAGES.map((s) => ({ ...s, steps: 150 + 10 * i })), { name: `race-${trial}-${i}` },
  )));
  const script = "import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'stagecredit', ...process.argv.slice(1)]);";
  const runs = manifests.map((m) => new Promise<{ code: number | null; stderr: string }>((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'train', m, '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr }));
  }));
  const done = await Promise.all(runs);
  return { codes: done.map((d) => d.code), stderr: done.map((d) => d.stderr), out, manifests };
}

test('two concurrent trains on one directory: one wins, the other says why; the directory is one run', { timeout: 120_000 }, async () => {
  // Few trials here (each spawns two CLIs); bench/integrity.bench.ts runs 20.
  for (let trial = 0; trial < 2; trial++) {
    const { codes, stderr, out } = await race(trial);
    const winners = codes.filter((c) => c === 0).length;
    assert.equal(winners, 1, `exactly one train succeeds (codes ${codes}):\n${stderr.join('\n')}`);
    const loser = stderr[codes.indexOf(1)];
    assert.match(loser, /is in use by `stagecredit train`|already holds a run of a different pipeline/);
    const v = verifyRun(out);
    assert.ok(v.ok, v.findings.filter((f) => !f.ok).map((f) => `${f.subject}: ${f.message}`).join('\n'));
  }
});

// ---- 2. stale derived outputs ------------------------------------------------------------------

test('a different pipeline trained into the same directory never reuses the old embeddings or attribution', () => {
  const { dir, out } = trained();
  const first = openRun(out);
  writeAttribution(first, attribute(first, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] }));
  // The user clears the run but not its derived files, then trains another pipeline there.
  for (const f of ['run.json', 'manifest.json', 'trace.safetensors', 'final.safetensors', 'checkpoints']) rmSync(join(out, f), { recursive: true });
  const other = writeJson(join(dir, 'other.json'), blobsManifest(TWO_STAGES.map((s) => ({ ...s, optimizer: { kind: 'sgd', lr: 0.3 } }))));
  train(loadManifest(other), { out });
  const run = openRun(out);
  // The old attribution.json is refused by report, naming the rerun.
  return import('../../src/report/index.js').then(({ collectResults }) => {
    assert.throws(() => collectResults(out), /attribution\.json was computed from another run .*rerun `stagecredit attribute/);
    const again = attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] });
    assert.equal(again.estimates[0].cost.reused, false, 'embeddings of the other run must not be reused');
    const fresh = attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }], reuse: false });
    assert.deepEqual(again.estimates[0].effects, fresh.estimates[0].effects);
    // Now they belong to this run and are reused.
    assert.equal(attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] }).estimates[0].cost.reused, true);
  });
});

test('attribute replacing attribution.json: report names exactly what to rerun (issue 11 item 11)', async () => {
  const { out } = trained();
  const run = openRun(out);
  const { validate, writeValidation } = await import('../../src/attribution/index.js');
  const att = attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }] });
  writeAttribution(run, att);
  writeValidation(run, await validate(run, { attribution: att }));
  const { collectResults } = await import('../../src/report/index.js');
  collectResults(out); // consistent
  writeAttribution(run, attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'exampleLoss' }] }));
  assert.throws(() => collectResults(out), (e: unknown) => e instanceof Error
    && e.message.includes('validation.json does not match attribution.json')
    && e.message.includes(`rerun \`stagecredit validate ${out} -e task-vector -b 'exampleLoss'\``)
    && e.message.includes(`\`stagecredit attribute ${out} -e task-vector -b 'meanLoss'\``));
});

// ---- 3. checkpoint metadata ----------------------------------------------------------------------

test('a boundary checkpoint without stagesDone is refused on resume, naming file and field', () => {
  const { manifest, out } = trained();
  const s = readStatus(out);
  // A legacy run (no hashes) interrupted at boundary 1, whose boundary-1 lost its stagesDone.
  delete s.files;
  delete s.inputs;
  writeStatus(out, { ...s, status: 'running', latestCheckpoint: 'checkpoints/boundary-1.safetensors', stages: s.stages.slice(0, 1) });
  const file = join(out, 'checkpoints', 'boundary-1.safetensors');
  editMetadata(file, 'stagecredit.checkpoint', (m) => ({ ...m, stagesDone: undefined }));
  assert.throws(() => train(loadManifest(manifest), { out }), { message: new RegExp(`^${file.replace(/[.]/g, '\\.')}: metadata "stagecredit.checkpoint".stagesDone: `) });
  editMetadata(file, 'stagecredit.checkpoint', (m) => ({ ...m, stagesDone: 0 }));
  assert.throws(() => train(loadManifest(manifest), { out }), /stagesDone is 0, but this file must hold stagesDone = 1/);
  editMetadata(file, 'stagecredit.checkpoint', (m) => ({ ...m, stagesDone: 1, slots: 5 }));
  assert.throws(() => train(loadManifest(manifest), { out }), /metadata "stagecredit.checkpoint".slots: /);
});

// ---- 4. files checked against each other ---------------------------------------------------------

test('manifest.json edited after training is refused (weight decay, a stage removed)', () => {
  const { out } = trained();
  const path = join(out, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  m.stages[0].optimizer.weightDecay = 0.5;
  writeFileSync(path, JSON.stringify(m, null, 2));
  assert.throws(() => openRun(out), /manifest\.json: content differs from the sha256 run\.json recorded/);
  // Even with run.json's hashes removed, a removed stage no longer matches run.json.
  const s = readStatus(out);
  delete s.files;
  writeStatus(out, s);
  m.stages.pop();
  writeFileSync(path, JSON.stringify(m, null, 2));
  assert.throws(() => openRun(out), /records 2 stages, manifest\.json has 1/);
});

test('boundary-2 replaced by boundary-1, a NaN parameter, parameters scaled: each refused', () => {
  const { out } = trained();
  const b = (k: number) => join(out, 'checkpoints', `boundary-${k}.safetensors`);
  copyFileSync(b(1), b(2));
  assert.throws(() => openRun(out).boundary(2), /boundary-2\.safetensors: content differs from the sha256/);
  const s = readStatus(out);
  delete s.files;
  writeStatus(out, s);
  assert.throws(() => openRun(out).boundary(2), /boundary-2\.safetensors: metadata "stagecredit\.checkpoint"\.step is 8, but this file must hold step = 14/);
  // NaN in a parameter (with its hash recorded anew, as a buggy tool might): still refused.
  const { tensors, metadata } = readSafetensors(b(1));
  const name = Object.keys(tensors).find((n) => !n.startsWith('optimizer.'))!;
  (tensors[name].data as Float64Array)[0] = Number.NaN;
  writeSafetensors(b(1), tensors, metadata);
  assert.throws(() => openRun(out).boundary(1), new RegExp(`parameter "${name}"\\[0\\] is NaN`));
  // Scaled x2 with hashes recorded: the hash catches it.
  const t2 = trained();
  const path = join(t2.out, 'checkpoints', 'boundary-1.safetensors');
  const f = decodeSafetensors(readFileSync(path), path);
  for (const t of Object.values(f.tensors)) (t.data as Float64Array).forEach((v, i, a) => (a[i] = 2 * v));
  writeFileSync(path, encodeSafetensors(f.tensors, f.metadata));
  assert.throws(() => openRun(t2.out).boundary(1), /content differs from the sha256/);
  const v = verifyRun(t2.out);
  assert.ok(!v.ok && v.findings.some((x) => !x.ok && x.subject === 'checkpoints/boundary-1.safetensors'));
});

test('trace indices out of range are refused (and gatherBatch range-checks)', () => {
  const { out } = trained();
  const path = join(out, 'trace.safetensors');
  const s = readStatus(out);
  delete s.files;
  writeStatus(out, s);
  const { tensors, metadata } = readSafetensors(path);
  (tensors['stage1.indices'].data as Int32Array)[3] = 5000;
  writeSafetensors(path, tensors, metadata);
  assert.throws(() => openRun(out), /stage "finetune" batch index 5000 \(position 3\) is outside its data \(120 examples\)/);
  const ds = { name: 'd', n: 2, featureShape: [1], x: new Float64Array([1, 2]), y: new Int32Array([0, 1]), numClasses: 2, source: 't' };
  assert.throws(() => gatherBatch(ds, [0, 2], 'float64'), /example index 2 is outside data set "d" \(2 examples\)/);
});

test('data changed after training is refused, naming the data set', () => {
  const { dir, out } = trained();
  const path = join(out, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  m.datasets.b.options.seed = 99;
  writeFileSync(path, JSON.stringify(m, null, 2));
  const s = readStatus(out);
  delete s.files; // bypass the manifest hash: the data hash alone must catch it
  writeStatus(out, s);
  assert.throws(() => openRun(out), /data set "b" has changed since the run was trained/);
  void dir;
});

test('verify: a clean run is consistent; each damage is named', () => {
  const { out } = trained();
  assert.ok(verifyRun(out).ok, JSON.stringify(verifyRun(out).findings.filter((f) => !f.ok)));
  writeFileSync(join(out, 'checkpoints', 'step-00000099.safetensors'), 'x');
  rmSync(join(out, 'final.safetensors'));
  const bad = verifyRun(out).findings.filter((f) => !f.ok).map((f) => f.subject);
  // One line per problem: an unrecorded checkpoint, a missing final file.
  assert.deepEqual(bad.sort(), ['checkpoints/step-00000099.safetensors', 'final.safetensors']);
});

// ---- 9. status after failures, and locks are re-entrant within a process ----------------------

test('an error during training marks the run failed and releases the lock; the lock is re-entrant in a process', () => {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(TWO_STAGES));
  const out = join(dir, 'run');
  const loaded = loadManifest(manifest);
  let calls = 0;
  assert.throws(() => train(loaded, { out, onProgress: () => { if (++calls === 1) throw new Error('boom'); } }), /boom/);
  assert.equal(readStatus(out).status, 'failed');
  assert.equal(existsSync(join(out, LOCK_FILE)), false);
  const lock = acquireRunLock(out, 'test');
  const inner = acquireRunLock(out, 'test');
  inner.release();
  assert.ok(existsSync(join(out, LOCK_FILE)));
  lock.release();
  assert.equal(existsSync(join(out, LOCK_FILE)), false);
});

test('SIGINT during `stagecredit train`: run.json says interrupted, a checkpoint keeps the progress, and train resumes it bit-identically', { timeout: 120_000 }, async () => {
  const dir = scratch();
  const stages = [{ name: 'long', data: 'a', steps: 4000, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.05 } }];
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(stages));
  const out = join(dir, 'run');
  const script = "import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'stagecredit', ...process.argv.slice(1)]);";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'train', manifest, '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && /step \d+\/4000/.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.equal(code, 1, stderr);
  assert.match(stderr, /training interrupted by SIGINT after global step \d+/);
  const s = readStatus(out);
  assert.equal(s.status, 'interrupted');
  assert.match(s.latestCheckpoint ?? '', /^checkpoints\/step-\d{8}\.safetensors$/);
  assert.equal(existsSync(join(out, LOCK_FILE)), false);
  assert.throws(() => openRun(out), /the run was interrupted \(interrupted by SIGINT/);
  const resumed = train(loadManifest(manifest), { out });
  assert.equal(resumed.resumedFrom, s.latestCheckpoint);
  const reference = train(loadManifest(manifest), { out: join(dir, 'reference') });
  assert.ok(resumed.finalParams.every((p, i) => p.data.every((v, j) => Object.is(v, reference.finalParams[i].data[j]))), 'bit-identical to an uninterrupted run');
});

// ---- 8. divergence -----------------------------------------------------------------------------

test('LossMonitor: a finite loss far above its level is divergence; configurable; off keeps NaN only', () => {
  const m = new LossMonitor({ factor: 100, minLoss: 10, smoothing: 0.1, enabled: true });
  for (const l of [1.1, 1.0, 0.9, 0.95]) assert.equal(m.check(l), null);
  assert.match(m.check(1e33) ?? '', /the loss 1\.000e\+33 is over 100x its running level/);
  const off = new LossMonitor({ factor: 100, minLoss: 10, smoothing: 0.1, enabled: false });
  off.check(1);
  assert.equal(off.check(1e33), null);
  assert.equal(off.check(Number.NaN), 'the loss is NaN');
});

test('SGD at lr 1e4 stops with the stage and 1-based step instead of completing', () => {
  const dir = scratch();
  const stages = [{ name: 'hot', data: 'a', steps: 30, batchSize: 16, optimizer: { kind: 'sgd', lr: 1e4 } }];
  const model = { kind: 'mlp', inputDim: 8, hidden: [12], numClasses: 3, activation: 'relu' };
  const manifest = writeJson(join(dir, 'p.json'), blobsManifest(stages, { model }));
  assert.throws(() => train(loadManifest(manifest), { out: join(dir, 'run') }), /training diverged in stage "hot" at step [1-9]\d* \(global step [1-9]\d*\): the loss (\S+ is over 100x|is NaN)/);
  // Configurable in the manifest: the same run with the check off only stops on NaN/Inf.
  const lenient = writeJson(join(dir, 'q.json'), blobsManifest(stages, { model, divergence: { factor: 1e300 } }));
  try {
    train(loadManifest(lenient), { out: join(dir, 'run2') });
  } catch (e) {
    assert.doesNotMatch((e as Error).message, /is over/);
  }
});


test('`stagecredit verify`: exit 0 on a clean run; exit 1 naming the replaced checkpoint', { timeout: 60_000 }, async () => {
  const { out } = trained();
  const script = "import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'stagecredit', ...process.argv.slice(1)]);";
  const verify = () => new Promise<{ code: number | null; stdout: string; stderr: string }>((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'verify', out], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
  const clean = await verify();
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, new RegExp(`${out}: consistent`));
  copyFileSync(join(out, 'checkpoints', 'boundary-1.safetensors'), join(out, 'checkpoints', 'boundary-2.safetensors'));
  const damaged = await verify();
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /^BAD  checkpoints\/boundary-2\.safetensors: .*content differs from the sha256/m);
  assert.match(damaged.stderr, /1 problem\(s\)/);
});
