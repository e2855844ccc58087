import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzSafetensors } from '../helpers/fuzz.js';

// Issue 12: a seeded property test of the safetensors decoder. 10,000 random files round-trip,
// and each, mutated (bit flips, truncation, insertion, header length and JSON damage), is either
// refused with a SafetensorsError naming the file or accepted with contents that re-encode to
// themselves. The long run (100,000 cases) is `npm run bench:integrity`.

test('safetensors: 10,000 seeded random and mutated files, no engine exception, every acceptance consistent', () => {
  const r = fuzzSafetensors(10_000, 20261201);
  assert.equal(r.failureCount, 0, r.failures.join('\n'));
  assert.ok(r.rejected > 5_000 && r.accepted > 100, `mutations should mostly be refused, some accepted: ${r.accepted} accepted, ${r.rejected} refused`);
});
