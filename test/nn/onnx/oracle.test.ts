import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import * as T from '../../../src/autodiff/index.js';
import { createModel, crossEntropy } from '../../../src/nn/index.js';
import { fromData, type Tensor } from '../../../src/tensor/index.js';
import { relErr } from '../../helpers/fd.js';
import { oracleTest, runTorch, torchAvailable } from '../../helpers/torchOracle.js';

// Tiny torch models exported with torch.onnx.export (test/oracle/onnx_models.py), read back by
// src/nn/onnx with the exported weights: logits, CE loss, gradient and HVP must equal torch's to
// 1e-10 relative in float64. Together the cases cover every op in the converter table that
// torch 1.13's exporter emits for MLPs, CNNs and small transformers.

const TOL = 1e-10;

interface TorchCase {
  file: string;
  names: string[];
  x: number[];
  xShape: number[];
  labels: number[];
  v: number[][];
  logits: number[];
  loss: number;
  grad: number[][];
  hvp: number[][];
}

const CASES = ['mlp-gelu', 'cnn', 'transformer', 'layernorm-opset17', 'elementwise'];
const dir = mkdtempSync(join(tmpdir(), 'stagecredit-onnx-oracle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let results: Record<string, TorchCase> | undefined;
function torchCases(): Record<string, TorchCase> {
  results ??= runTorch('onnx_models.py', { dir }, { timeoutMs: 240_000 }) as Record<string, TorchCase>;
  return results;
}

const report: string[] = [];

for (const name of CASES) {
  oracleTest(`onnx oracle: ${name} (parameter names, logits, CE loss, gradient, HVP)`, () => {
    const r = torchCases()[name];
    const model = createModel({ kind: 'onnx', file: r.file, parameters: r.names });
    assert.deepEqual(model.params.map((p) => p.name), r.names);
    const params = model.init(undefined as never);
    const x = fromData(Float64Array.from(r.x), r.xShape);
    const labels = Int32Array.from(r.labels);
    const v = model.params.map((p, i) => fromData(Float64Array.from(r.v[i]), p.shape));
    const f = (ps: Tensor[]) => crossEntropy(model.forward(ps, x), labels);
    const { grads, hvp } = T.gradAndHvp(f, params, v);
    const errs = {
      logits: relErr([model.forward(params, x).data], [r.logits]),
      loss: Math.abs(f(params).item() - r.loss) / Math.abs(r.loss),
      grad: relErr(grads.map((g) => g.data), r.grad),
      hvp: relErr(hvp.map((h) => h.data), r.hvp),
    };
    report.push(`${name}: ${Object.entries(errs).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
    for (const [k, e] of Object.entries(errs)) assert.ok(e <= TOL, `${name}: ${k} relative error ${e} > ${TOL}`);
  });
}

oracleTest('onnx oracle: report', (t) => {
  if (torchAvailable().ok) t.diagnostic(`relative errors vs torch:\n${report.join('\n')}`);
});
