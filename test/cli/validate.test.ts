import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './capture.js';
import { countProgress, trainingProgress } from '../../src/cli/progress.js';

// `validate` output fits a 100-column terminal (the wide grid is kept behind --wide), and long
// work reports how far it is and how long is left.

async function captured(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const r = await runCli(...args);
  return { ...r, out: r.out.split('\n') };
}

test('validate fits 100 columns with six estimates on three stages; --wide prints the grid', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'stagecredit-validate-')), 'run');
  const fixture = join(import.meta.dirname, '..', 'pipeline', 'fixtures', 'blobs.json');
  assert.equal((await captured(['train', fixture, '--out', dir])).code, 0);
  const narrow = await captured(['validate', dir, '-b', 'exampleLoss']);
  assert.equal(narrow.code, 0, narrow.err);
  // Lines naming a file are as long as its path; everything else must fit.
  const widest = Math.max(...narrow.out.filter((l) => !l.startsWith('wrote ')).map((l) => [...l].length));
  assert.ok(widest <= 100, `widest line ${widest} columns:\n${narrow.out.join('\n')}`);
  for (const id of ['task-vector/linear', 'hessian-free/exact', 'stage-curvature/linear']) assert.ok(narrow.out.some((l) => l.includes(id)), id);
  assert.ok(narrow.out.some((l) => /pooled r/.test(l)));
  assert.match(narrow.err, /retraining: 3\/3 replays, \d+ s elapsed/);
  assert.match(narrow.err, /stage-curvature \(3\/3\): /, 'progress names the estimator it is on');
  const wide = await captured(['validate', dir, '-b', 'exampleLoss', '--wide']);
  assert.equal(wide.code, 0, wide.err);
  assert.ok(Math.max(...wide.out.map((l) => [...l].length)) > 100, 'the wide grid');
  const seeds = await captured(['validate', dir, '-b', 'meanLoss', '-e', 'task-vector', '--seeds', '1']);
  assert.equal(seeds.code, 0, seeds.err);
  assert.match(seeds.err, /batch-order seed 1\/1: training the whole pipeline again[^]*retraining: 3\/3 replays/, 'the seed runs report progress too');
});

test('countProgress: elapsed time and an ETA from the average so far; a new count is timed afresh', () => {
  let t = 0;
  const lines: string[] = [];
  const progress = countProgress('retraining', 'replays', { isTTY: false, write: (s: string) => (lines.push(s.trimEnd()), true) }, () => t);
  t = 4000;
  progress(1, 4); // 4 s per replay so far: 12 s to go
  t = 8000;
  progress(2, 4);
  t = 16000;
  progress(4, 4);
  t = 19000;
  progress(1, 2); // a second job started when the first ended (t = 16 s)
  t = 22000;
  progress(2, 2);
  assert.deepEqual(lines, [
    '  retraining: 1/4 replays, 4 s elapsed, ETA 12 s',
    '  retraining: 2/4 replays, 8 s elapsed, ETA 8 s',
    '  retraining: 4/4 replays, 16 s elapsed',
    '  retraining: 1/2 replays, 3 s elapsed, ETA 3 s',
    '  retraining: 2/2 replays, 6 s elapsed',
  ]);
});

test('countProgress on a terminal rewrites one line and ends it when done', () => {
  let written = '';
  const progress = countProgress('retraining', 'replays', { isTTY: true, write: (s: string) => ((written += s), true) }, () => 0);
  progress(1, 2);
  progress(2, 2);
  assert.equal(written, '\r  retraining: 1/2 replays, 0 s elapsed, ETA 0 s\x1b[K\r  retraining: 2/2 replays, 0 s elapsed\x1b[K\n');
});

test('training progress lines give the stage\'s rate and the overall rate (they differ between stages)', () => {
  let t = 0;
  const lines: string[] = [];
  const p = trainingProgress({ isTTY: false, write: (s: string) => (lines.push(s.trimEnd()), true) }, () => t);
  const ev = (globalStep: number, stageName: string, stageStep: number, stepsPerSecond: number) =>
    ({ stageIndex: 0, stageName, stageStep, stageSteps: 100, globalStep, totalSteps: 200, loss: 0.5, stepsPerSecond });
  p.update(ev(10, 'body', 10, 50));
  t = 4000;
  p.update(ev(110, 'head', 10, 400)); // 100 steps in 4 s overall
  assert.deepEqual(lines, [
    '  step 10/200 (body: 10/100) loss 0.5000, 50.0 steps/s in this stage, – overall',
    '  step 110/200 (head: 10/100) loss 0.5000, 400.0 steps/s in this stage, 25.0 overall',
  ]);
});
