import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_ENV, oracleTest, runTorch, torchAvailable, torchInfo } from './torchOracle.js';

test('torchAvailable explains how to enable torch when it is missing', () => {
  const s = torchAvailable();
  assert.equal(torchAvailable(), s, 'cached');
  if (!s.ok && process.env[SKIP_ENV] !== '1') assert.match(s.reason, /sudo apt-get install python3-torch/);
});

oracleTest('torch computes 2 + 2', () => {
  const out = runTorch('import torch\nfrom common import write_output\nwrite_output(int(torch.tensor(2) + 2))', null);
  assert.equal(out, 4);
});

oracleTest('float64 values round-trip bit-exactly through JSON', () => {
  const script = `
import torch
from common import read_input, write_output
x = read_input()
t = torch.tensor(x['v'])
write_output({'dtype': str(t.dtype), 'sum': (t[0] + t[1]).item(), 'echo': t, 'special': x['special'],
              'py': 0.1 + 0.2, 'tiny': 5e-324, 'neg0': -0.0})
`;
  const v = new Float64Array([0.1, 0.2, Math.PI, 1 / 3, Number.MAX_VALUE, Number.MIN_VALUE, -1e-310]);
  const out = runTorch(script, { v, special: [NaN, Infinity, -Infinity, -0] });
  assert.equal(out.dtype, 'torch.float64', 'common.py sets the default dtype');
  assert.ok(Object.is(out.sum, 0.1 + 0.2) && out.sum === 0.30000000000000004);
  assert.ok(Object.is(out.py, 0.1 + 0.2));
  assert.deepEqual(out.echo, Array.from(v));
  assert.ok(out.special.every((x: number, i: number) => Object.is(x, [NaN, Infinity, -Infinity, -0][i])));
  assert.equal(out.tiny, Number.MIN_VALUE);
  assert.ok(Object.is(out.neg0, -0));
});

oracleTest('oracle scripts under test/oracle run by name, and failures carry python stderr', () => {
  assert.throws(() => runTorch('raise ValueError("boom from python")', null), /boom from python/);
  assert.throws(() => runTorch('no_such_oracle.py', null), /not found/);
});

oracleTest('torchInfo reports version and BLAS', (t) => {
  const info = torchInfo();
  assert.ok(info);
  assert.match(info.version, /^\d+\.\d+/);
  t.diagnostic(`torch ${info.version}, threads ${info.threads}, openblas=${info.openblas}: ${info.blasLibraries.join(', ')}`);
});
