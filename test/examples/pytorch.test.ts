import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { ValidationReport } from '../../src/attribution/index.js';
import { oracleTest, PYTHON } from '../helpers/torchOracle.js';

// examples/pytorch/train.py records a 3-stage torch run (SGD with momentum and a step decay, then
// AdamW with clip_grad_norm_, then the same AdamW carried onto noisy data) with
// python/stagecredit_recorder.py. The recorded directory is moved elsewhere (run directories are
// portable), then `stagecredit attribute`, `validate` and `report` run on it without retraining;
// validate's replay of the recorded run must reproduce torch's boundary checkpoints to 1e-10.

const TOL = 1e-10;
const root = mkdtempSync(join(tmpdir(), 'stagecredit-pytorch-example-'));
after(() => rmSync(root, { recursive: true, force: true }));

function record(arch: string, out: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  const r = spawnSync(PYTHON, ['examples/pytorch/train.py', '--arch', arch, '--out', out, '--steps', '6'], { env, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `train.py --arch ${arch} failed:\n${r.stderr}`);
}

async function quietly(argv: string[]): Promise<number> {
  const log = console.log;
  const write = process.stderr.write;
  console.log = () => {};
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await main(['node', 'stagecredit', ...argv]);
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

for (const arch of ['cnn', 'mlp', 'transformer']) {
  oracleTest(`examples/pytorch: a recorded 3-stage ${arch} run attributes and validates without retraining; replays match torch to 1e-10`, async () => {
    const recorded = join(root, `${arch}-recorded`);
    record(arch, recorded);
    const moved = join(root, 'moved', arch);
    cpSync(recorded, moved, { recursive: true });
    rmSync(recorded, { recursive: true });
    assert.equal(await quietly(['attribute', moved, '-e', 'hessian-free,hessian-aware']), 0);
    assert.equal(await quietly(['validate', moved, '-e', 'hessian-free,hessian-aware']), 0);
    assert.equal(await quietly(['report', moved]), 0);
    assert.ok(existsSync(join(moved, 'report.html')));
    const report = JSON.parse(readFileSync(join(moved, 'validation.json'), 'utf8')) as ValidationReport;
    const replay = report.recordedReplay;
    assert.ok(replay && replay.length === 3, 'validation.json holds the replay check of the recorded run');
    for (const b of replay) {
      assert.ok(b.maxAbsDiff <= TOL, `${arch}: boundary ${b.boundary} parameters differ from torch's by ${b.maxAbsDiff}`);
      assert.ok(b.optimizerMaxAbsDiff <= TOL, `${arch}: boundary ${b.boundary} optimizer state differs from torch's by ${b.optimizerMaxAbsDiff}`);
    }
    // E3 (exact JVPs through the clipped AdamW steps, first order) against the leave-one-stage-out
    // truth: measured pooled Pearson r >= 0.86 for all three at 12 steps per stage, higher at 6.
    const e3 = report.estimates.filter((e) => e.estimator === 'hessian-aware');
    assert.ok(e3.length > 0, 'the hessian-aware estimate was validated');
    for (const e of e3) assert.ok(e.agreement.pooled.pearson! >= 0.8, `${arch}: E3 pooled r = ${e.agreement.pooled.pearson}`);
  }, { timeout: 300_000 });
}
