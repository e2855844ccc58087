import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

// The README's command sequence, with different behaviours for attribute and validate: the
// report must still find consistent files.
test('train, attribute, validate (other behaviours), report', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'stagecredit-flow-')), 'run');
  const fixture = join(import.meta.dirname, '..', 'pipeline', 'fixtures', 'blobs.json');
  const logs: string[] = [];
  const log = console.log;
  const err = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => logs.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal(await main(['node', 'stagecredit', 'train', fixture, '--out', out]), 0);
    assert.equal(await main(['node', 'stagecredit', 'attribute', out, '-b', 'exampleLoss']), 0);
    assert.equal(await main(['node', 'stagecredit', 'validate', out, '-b', 'meanLoss', '-e', 'hessian-free']), 0);
    assert.equal(await main(['node', 'stagecredit', 'report', out]), 0);
  } finally {
    console.log = log;
    process.stderr.write = err;
  }
  const attribution = JSON.parse(readFileSync(join(out, 'attribution.json'), 'utf8'));
  const validation = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
  assert.deepEqual(attribution.behaviours.names, ['meanLoss']);
  assert.deepEqual(validation.behaviours.names, ['meanLoss']);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.ok(logs.some((l) => l.includes('agreement with retraining')), logs.join('\n'));
});
