import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun, parseManifest, replaySkipping, train, type Run } from '../../src/pipeline/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { normList, subLists } from '../../src/attribution/vectors.js';
import { blobsManifest } from '../helpers/blobs.js';

/** A small multi-stage pipeline on Gaussian blobs; `stages` are manifest stage specs. */
export function blobRun(opts: { loss?: 'crossEntropy' | 'mse' | 'linear'; model?: object; stages: object[]; evalN?: number }): Run {
  const manifest = parseManifest(blobsManifest({
    name: 'test-pipeline', dim: 5, n: 40, evalN: opts.evalN ?? 30, initSeed: 3, stages: opts.stages,
    model: opts.model ?? { kind: 'logistic', inputDim: 5, numClasses: 3 },
    extra: { loss: opts.loss ?? 'crossEntropy' },
  }));
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-test-'));
  train({ manifest, baseDir: dir, path: 'test' }, { out: dir });
  return openRun(dir);
}

/** theta_T - theta_T^(-k) for every stage, by retraining. */
export function trueEmbeddings(run: Run): Tensor[][] {
  const final = run.finalParams();
  return run.pipeline.stages.map((_, k) => subLists(final, replaySkipping(run, [k])));
}

export function relListErr(a: Tensor[], b: Tensor[]): number {
  return normList(subLists(a, b)) / Math.max(normList(b), 1e-300);
}

const sgd = (extra: object) => ({ kind: 'sgd', lr: 0.05, ...extra });

/** Optimizer settings every closed-form check runs through: one stage of each kind, in sequence. */
export const SGD_VARIANTS: [string, object[]][] = [
  ['plain SGD', [sgd({}), sgd({ lr: 0.03 }), sgd({ lr: 0.04 })]],
  ['heavy ball + coupled weight decay, cosine', [sgd({ momentum: 0.9, weightDecay: 0.01 }), sgd({ momentum: 0.8, weightDecay: 0.02 }), sgd({ momentum: 0.5, weightDecay: 0.01 })]],
  ['decoupled weight decay + dampening', [sgd({ momentum: 0.9, dampening: 0.3, weightDecay: 0.05, decoupledWeightDecay: true }), sgd({ momentum: 0.7, dampening: 0.2, weightDecay: 0.03, decoupledWeightDecay: true }), sgd({ weightDecay: 0.1, decoupledWeightDecay: true })]],
  ['Nesterov', [sgd({ momentum: 0.9, nesterov: true }), sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.01 }), sgd({ momentum: 0.6, nesterov: true })]],
];

/** Stages from optimizer specs; `carry` makes stage 2 carry stage 1's optimizer state. */
export function stagesFor(optimizers: object[], carry = false): object[] {
  return optimizers.map((optimizer, k) => ({
    name: `s${k}`, data: k % 2 ? 'b' : 'a', steps: 6 + 2 * k, batchSize: 8, batchOrder: { seed: 10 + k }, optimizer,
    schedule: k === 0 ? { kind: 'cosine' } : { kind: 'constant' },
    ...(carry && k === 2 ? { optimizerState: 'carry', optimizer: { ...(optimizers[1] as object) } } : {}),
  }));
}
