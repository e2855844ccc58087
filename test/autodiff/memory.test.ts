import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Heap + ArrayBuffer growth is measured in a child with --expose-gc, undisturbed by the runner.
// The negative control keeps only each call's returned tensors (the smallest possible leak,
// about 3 KB a call): it must exceed the bound, which shows the bound can fail.
const script = fileURLToPath(new URL('./memoryProbe.ts', import.meta.url));

function probe(leak: boolean): { growthMb: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, leak ? 'leak' : 'clean'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('10,000 grad+HVP calls do not grow the heap (and a leaking run would be caught)', () => {
  const clean = probe(false);
  const BOUND_MB = 4;
  assert.ok(clean.growthMb < BOUND_MB, `heap + array buffers grew ${clean.growthMb.toFixed(2)} MB between call 1,000 and call 10,000`);
  const leaky = probe(true);
  assert.ok(leaky.growthMb > BOUND_MB, `negative control: keeping one result per call should exceed the bound, grew ${leaky.growthMb.toFixed(2)} MB`);
});
