import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

/** Runs CLI calls with stdout collected and stderr silenced; their exit codes and printed lines. */
async function capture(...calls: (() => Promise<number>)[]): Promise<{ codes: number[]; logs: string[] }> {
  const logs: string[] = [];
  const codes: number[] = [];
  const { log } = console;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => logs.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    for (const call of calls) codes.push(await call());
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
  return { codes, logs };
}

// `attribute --budget` end to end: exact replays within the budget, every number labelled, every
// line within 100 columns; then the report's results.json carries the same labels.
test('attribute --budget replays within the budget and labels every number', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'stagecredit-budget-cli-')), 'run');
  const fixture = join(import.meta.dirname, '..', 'pipeline', 'fixtures', 'blobs.json');
  await capture(() => main(['node', 'stagecredit', 'train', fixture, '--out', out]));
  const { codes, logs } = await capture(
    () => main(['node', 'stagecredit', 'attribute', out, '-b', 'meanLoss', '-e', 'task-vector,hessian-free', '--budget', '0.5']),
    () => main(['node', 'stagecredit', 'report', out]),
  );
  assert.deepEqual(codes, [0, 0]);
  const text = logs.join('\n');
  const a = JSON.parse(readFileSync(join(out, 'attribution.json'), 'utf8'));
  assert.ok(a.budget.stepsReplayed <= a.budget.budgetSteps, JSON.stringify(a.budget));
  assert.equal(a.budget.budgetSteps, Math.floor(0.5 * a.budget.fullRetrainingSteps));
  const last = a.run.stages.length - 1;
  assert.ok(a.budget.replayed.includes(a.run.stages[last].name), 'the free last stage is replayed');
  for (const e of a.estimates) {
    assert.equal(e.replayed[last], true);
    assert.equal(e.trust.grade[last], 'exact');
    e.trust.lo.forEach((row: number[], k: number) => row.forEach((lo, i) => assert.ok(lo <= e.effects[k][i] && e.effects[k][i] <= e.trust.hi[k][i])));
  }
  assert.match(text, /exact \(replayed\)/);
  assert.match(text, /estimated, grade (high|medium|low)|±\S+ (high|medium|low)/);
  for (const line of text.split('\n')) assert.ok([...line].length <= 100 || !/[│┌└├]/.test(line), `table line over 100 columns: ${line}`);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.headlineEffects.perStage[last].exact, true);
  assert.equal(results.headlineEffects.perStage[last].grade, 'exact');
  assert.ok(results.conclusion && Array.isArray(results.conclusion.retraining));
});
