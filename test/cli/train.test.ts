import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `stagecredit train` end to end: main(argv) in a child process (real stdout, stderr and exit
// code; stderr is a pipe, so progress comes as plain lines), on a pipeline that trains in ~0.1 s.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href;
const dir = mkdtempSync(join(tmpdir(), 'stagecredit-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const script = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(['node', 'stagecredit', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, STAGECREDIT_DEBUG: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const stage = (name: string, data: string, steps: number, optimizer: Record<string, unknown>) => ({ name, data, steps, batchSize: 16, optimizer });

function manifest(name: string, stages: Record<string, unknown>[], activation = 'tanh'): string {
  return writeJson(name, {
    name,
    model: { kind: 'mlp', inputDim: 6, hidden: [8], numClasses: 3, activation },
    datasets: {
      a: { recipe: 'blobs', options: { n: 80, dim: 6, numClasses: 3, seed: 1 } },
      test: { recipe: 'blobs', options: { n: 60, dim: 6, numClasses: 3, seed: 2 } },
    },
    evaluation: { data: 'test' },
    stages,
  });
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const TINY = manifest('tiny', [
  stage('warmup', 'a', 12, { kind: 'sgd', lr: 0.1, momentum: 0.9 }),
  stage('polish', 'a', 8, { kind: 'adamw', lr: 0.01 }),
]);

const noStack = (r: CliResult) => assert.ok(!/\n\s+at /.test(r.stderr), `unexpected stack trace:\n${r.stderr}`);

test('trains, prints the summary table, and says so when run again', { timeout: 60_000 }, async () => {
  const out = join(dir, 'run-tiny');
  const r = await cli(['train', TINY, '--out', out, '--checkpoint-every', '5']);
  assert.equal(r.code, 0, r.stderr);
  for (const h of ['stage', 'steps', 'train loss', 'eval loss', 'eval acc', 'seconds']) assert.ok(r.stdout.includes(h), `header "${h}" missing:\n${r.stdout}`);
  assert.match(r.stdout, /│ warmup +│ +12 │ +\d\.\d{4} │ +\d\.\d{4} │ +\d+\.\d% │ +\d+\.\d\d │/);
  assert.match(r.stdout, /│ polish +│ +8 │/);
  assert.match(r.stdout, /│ total +│ +20 │/);
  assert.match(r.stdout, /throughput: \d+(\.\d)? steps\/s \(20 steps in /);
  // Not a terminal: plain progress lines, at least the final one.
  assert.match(r.stderr, /step 20\/20 \(polish: 8\/8\) loss \d\.\d{4}/);
  assert.equal(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status, 'complete');
  assert.deepEqual(readdirSync(join(out, 'checkpoints')).filter((f) => f.startsWith('step-')).sort(), [
    'step-00000005.safetensors', 'step-00000010.safetensors', 'step-00000015.safetensors',
  ]);

  const again = await cli(['train', TINY, '--out', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(again.stderr.includes(`${out} already holds the complete run; nothing to train`));
  assert.match(again.stdout, /│ warmup +│ +12 │/);
});

describe('failures exit 1 (usage errors 2) with a one-line cause and no stack trace', { concurrency: true }, () => {
  test('invalid manifest', async () => {
    const bad = writeJson('bad', { ...JSON.parse(readFileSync(TINY, 'utf8')), seed: 3 });
    const r = await cli(['train', bad, '--out', join(dir, 'run-bad')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `stagecredit: invalid pipeline manifest ${bad}:\n  - (root): Unrecognized key: "seed"\n`);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(join(dir, 'run-bad')));
  });

  test('missing manifest file', async () => {
    const missing = join(dir, 'missing.json');
    const r = await cli(['train', missing, '--out', join(dir, 'run-missing')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `stagecredit: invalid pipeline manifest ${missing}:\n  - (root): cannot read file (ENOENT)\n`);
  });

  test('training diverges', async () => {
    const boom = manifest('boom', [stage('ok', 'a', 4, { kind: 'sgd', lr: 0.1 }), stage('explode', 'a', 10, { kind: 'sgd', lr: 1e100 })], 'relu');
    const r = await cli(['train', boom, '--out', join(dir, 'run-boom')]);
    assert.equal(r.code, 1);
    // A finite loss far above its running level stops training too (issue 12), not only NaN.
    assert.match(r.stderr, /^stagecredit: training diverged in stage "explode" at step \d+ \(global step \d+\): the loss (is NaN|\S+ is over 100x its running level \S+ .*); the last good checkpoint is kept at .*boundary-1\.safetensors$/m);
    noStack(r);
    assert.equal(r.stdout, '');
  });

  test('a bad --checkpoint-every', async () => {
    const r = await cli(['train', TINY, '--out', join(dir, 'run-flag'), '--checkpoint-every', 'often']);
    assert.equal(r.code, 2, 'a usage error');
    assert.match(r.stderr, /error: option '--checkpoint-every <n>' argument 'often' is invalid\. expected an integer >= 0/);
  });

  test('no --out', async () => {
    const r = await cli(['train', TINY]);
    assert.equal(r.code, 2, 'a usage error');
    assert.match(r.stderr, /error: required option '--out <dir>' not specified/);
  });

  test('STAGECREDIT_DEBUG=1 adds the stack trace', async () => {
    const r = await cli(['train', join(dir, 'missing.json'), '--out', join(dir, 'run-debug')], { STAGECREDIT_DEBUG: '1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^stagecredit: invalid pipeline manifest/);
    assert.match(r.stderr, /\n\s+at loadManifest /);
  });
});
