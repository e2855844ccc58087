import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseBehaviourSpec, type AttributeOptions, type OutputMode } from '../attribution/index.js';

// Options shared by `attribute`, `validate` and `demo`: which estimators, which behaviours.

export function addAttributionOptions(cmd: Command): Command {
  return cmd
    .option('-e, --estimator <names>', 'comma-separated estimators: task-vector, hessian-free, stage-curvature, hessian-aware', 'task-vector,hessian-free,stage-curvature')
    .option('-b, --behaviour <spec...>', 'behaviours, e.g. exampleLoss, meanLoss, groupLoss:colour, worstGroupLoss:group, groupGap:colour:red:green (default: the manifest\'s, else exampleLoss)')
    .addOption(new Option('-o, --output <modes>', 'output modes: linear (<grad f, e_k>), exact (f(theta_T) - f(theta_T - e_k))').default('linear,exact'))
    .option('--adjoint', 'also run E3-adjoint (one backward sweep per behaviour; for aggregate behaviours)')
    .option('--curvature-rank <n>', 'stage-curvature: Krylov dimension', intAtLeast(1))
    .option('--curvature-sample <n>', 'stage-curvature: examples per Hessian', intAtLeast(1))
    .option('--no-reuse', 'recompute stage embeddings even if the run directory has them');
}

/** A commander parser for an integer flag of at least `min` (commander reports the message). */
export function intAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

export interface RawAttributionFlags {
  estimator: string;
  behaviour?: string[];
  output: string;
  adjoint?: boolean;
  curvatureRank?: number;
  curvatureSample?: number;
  reuse: boolean;
}

export function attributionOptions(f: RawAttributionFlags): AttributeOptions {
  const outputs = f.output.split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of outputs) if (o !== 'linear' && o !== 'exact') throw new Error(`--output: unknown mode "${o}" (linear, exact)`);
  return {
    estimators: f.estimator.split(',').map((s) => s.trim()).filter(Boolean),
    behaviours: f.behaviour?.map((b) => parseBehaviourSpec(b)),
    outputs: outputs as OutputMode[],
    adjoint: f.adjoint,
    curvatureRank: f.curvatureRank,
    curvatureSample: f.curvatureSample,
    reuse: f.reuse,
  };
}
