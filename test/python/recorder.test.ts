import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { readDatasetFile } from '../../src/data/index.js';
import { checkReplay, openRun } from '../../src/pipeline/index.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';

// python/stagecredit_recorder.py on its own: what it refuses, what it marks "estimates only", the
// data-set files it writes, a carried SGD state through a new optimizer object, periodic
// checkpoints, and a recorded run that stagecredit replays exactly.

const dir = mkdtempSync(join(tmpdir(), 'stagecredit-recorder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PRELUDE = `
import os, sys, warnings, json
sys.path.insert(0, ${JSON.stringify(join(process.cwd(), 'python'))})
import torch, torch.nn as nn, torch.nn.functional as F
from stagecredit_recorder import Recorder, Dataset, RecorderError
from common import read_input, write_output
req = read_input()
torch.manual_seed(0)
x = torch.randn(20, 3, dtype=torch.float64)
y = torch.arange(20) % 2
ds = Dataset(x, y, groups={"half": (torch.arange(20) >= 10).long()}, group_names={"half": ["first", "second"]}, class_names=["a", "b"])
`;

oracleTest('recorder: refuses unsupported optimizers and BatchNorm, flags dropout as "estimates only"', () => {
  const out = runTorch(`${PRELUDE}
res = {}
model = nn.Linear(3, 2).double()
rec = Recorder(os.path.join(req["dir"], "refuse"), model, x[:2], {"train": ds})
try:
    rec.stage("s", torch.optim.RMSprop(model.parameters(), lr=0.1), data="train")
    res["rmsprop"] = "accepted"
except RecorderError as e:
    res["rmsprop"] = str(e)
try:
    Recorder(os.path.join(req["dir"], "bn"), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double(), x[:2], {"train": ds})
    res["bn"] = "accepted"
except RecorderError as e:
    res["bn"] = str(e)
m = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2)).double()
rec = Recorder(os.path.join(req["dir"], "dropout"), m, x[:2], {"train": ds})
opt = torch.optim.SGD(m.parameters(), lr=0.1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with rec.stage("s", opt, data="train") as st:
        for idx in st.batches(batch_size=5, steps=2):
            opt.zero_grad(); F.cross_entropy(m(x[idx]), y[idx]).backward(); st.step()
    rec.finish()
res["dropoutWarnings"] = [str(w.message) for w in caught]
write_output(res)
`, { dir }) as Record<string, string | string[]>;
  assert.match(out.rmsprop as string, /optimizer torch\.optim\.rmsprop\.RMSprop is not supported; stagecredit replays torch\.optim\.SGD/);
  assert.match(out.bn as string, /module '1' is a BatchNorm1d/);
  assert.ok((out.dropoutWarnings as string[]).some((w) => /module '1' applies dropout \(p=0\.5\).*estimates only/.test(w)));
  const status = JSON.parse(readFileSync(join(dir, 'dropout', 'run.json'), 'utf8'));
  assert.equal(status.recordedBy.replay, 'estimates only');
});

oracleTest('recorder: data-set files, carried SGD state through a new optimizer object, periodic checkpoints, exact replay', () => {
  runTorch(`${PRELUDE}
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
rec = Recorder(os.path.join(req["dir"], "carry"), model, x[:2], {"train": ds}, evaluation="train", group_column="half", checkpoint_every=3)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
with rec.stage("first", opt, data="train") as st:
    for i in range(4):
        idx = torch.tensor([(3 * i + j) % 20 for j in range(5)])
        opt.zero_grad(); F.cross_entropy(model(x[idx]), y[idx]).backward(); st.step(indices=idx, inputs=x[idx])
opt2 = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
opt2.load_state_dict(opt.state_dict())   # state carried into a new object; its own settings apply
for g in opt2.param_groups:
    g.update(lr=0.05, momentum=0.5, nesterov=False, weight_decay=0.0)
with rec.stage("second", opt2, data="train") as st:
    for idx in st.batches(batch_size=6, epochs=1, seed=4):
        opt2.zero_grad(); F.cross_entropy(model(x[idx]), y[idx]).backward(); st.clip_grad_norm_(0.1); st.step()
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset
opt3 = torch.optim.Adam(model.parameters(), lr=0.01)
sampler = BatchSampler(RandomSampler(range(20), generator=torch.Generator().manual_seed(1)), 7, drop_last=False)
with rec.stage("third", opt3, data="train") as st:
    for xb, yb in DataLoader(TensorDataset(x, y), batch_sampler=st.wrap(sampler)):
        opt3.zero_grad(); F.cross_entropy(model(xb), yb).backward(); st.step(inputs=xb)
rec.finish()
write_output(None)
`, { dir });
  const runDir = join(dir, 'carry');
  const ds = readDatasetFile(join(runDir, 'data', 'train.safetensors'));
  assert.deepEqual([ds.n, ds.featureShape, ds.numClasses, ds.classNames, ds.groupNames], [20, [3], 2, ['a', 'b'], { half: ['first', 'second'] }]);
  assert.equal(ds.groups!.half[15], 1);
  const run = openRun(runDir);
  const [first, second, third] = run.pipeline.stages;
  assert.deepEqual([third.carryState, third.steps, third.optimizer.spec.kind], [false, 3, 'adam']);
  assert.equal(first.carryState, false);
  assert.equal(second.carryState, true);
  assert.deepEqual(second.optimizer.spec, { kind: 'sgd', lr: 0.05, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0 });
  assert.equal(second.spec.clipGradNorm, 0.1);
  assert.equal(second.steps, 4);
  assert.equal(run.boundary(2).optimizer!.step, 8);
  assert.ok(existsSync(join(runDir, 'checkpoints', 'step-00000003.safetensors')));
  assert.deepEqual(run.store.stepCheckpoints(), [3, 6, 9]);
  for (const b of checkReplay(run)) {
    assert.ok(b.maxAbsDiff <= 1e-14 && b.optimizerMaxAbsDiff <= 1e-14, `boundary ${b.boundary}: ${b.maxAbsDiff}, ${b.optimizerMaxAbsDiff}`);
  }
});
