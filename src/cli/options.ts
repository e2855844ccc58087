import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_ESTIMATORS, ESTIMATORS, parseBehaviourSpec, type AttributeOptions, type BehaviourSpec, type OutputMode } from '../attribution/index.js';
import { stageCurvatureOptions } from '../attribution/estimators/stageCurvature.js';

// Options shared by `attribute`, `validate` and `demo`: which estimators, which behaviours.
// Every value is checked while the command line is parsed, so a mistake is a usage error (exit 2)
// reported before any work starts.

/** `adjoint` is not an embedding estimator, but users name it with the others (`-e adjoint`). */
export const ADJOINT = 'adjoint';
const ESTIMATOR_NAMES = [...ESTIMATORS.map((e) => e.name), ADJOINT];
const OUTPUT_MODES: OutputMode[] = ['linear', 'exact'];

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Parses `-e`: known estimator names, comma-separated. */
export function parseEstimators(value: string): string[] {
  const names = list(value);
  if (names.length === 0) throw new InvalidArgumentError(`expected at least one of ${ESTIMATOR_NAMES.join(', ')}`);
  for (const n of names) if (!ESTIMATOR_NAMES.includes(n)) throw new InvalidArgumentError(`unknown estimator "${n}" (known: ${ESTIMATOR_NAMES.join(', ')})`);
  return names;
}

function parseOutputs(value: string): OutputMode[] {
  const modes = list(value);
  if (modes.length === 0) throw new InvalidArgumentError(`expected ${OUTPUT_MODES.join(' and/or ')}`);
  for (const m of modes) if (!(OUTPUT_MODES as string[]).includes(m)) throw new InvalidArgumentError(`unknown mode "${m}" (${OUTPUT_MODES.join(', ')})`);
  return modes as OutputMode[];
}

/**
 * `-b` is repeatable (`-b meanLoss -b worstGroupLoss:group`) rather than variadic, so a run
 * directory after it is never taken for a behaviour.
 */
function collectBehaviour(value: string, previous: BehaviourSpec[] | undefined): BehaviourSpec[] {
  try {
    return [...(previous ?? []), parseBehaviourSpec(value)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function addAttributionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-e, --estimator <names>', `comma-separated, from: ${ESTIMATOR_NAMES.join(', ')} (adjoint: E3-adjoint, one backward sweep per behaviour)`)
      .argParser(parseEstimators).default(DEFAULT_ESTIMATORS, DEFAULT_ESTIMATORS.join(',')))
    .addOption(new Option('-b, --behaviour <spec>', 'a behaviour; repeat the flag for more. e.g. exampleLoss, meanLoss, groupLoss:colour, worstGroupLoss:group, groupGap:colour:red:green')
      .argParser(collectBehaviour).default(undefined, 'the manifest\'s evaluation.behaviours, else exampleLoss'))
    .addOption(new Option('-o, --output <modes>', 'output modes: linear (<grad f, e_k>), exact (f(theta_T) - f(theta_T - e_k))')
      .argParser(parseOutputs).default(OUTPUT_MODES, OUTPUT_MODES.join(',')))
    .addOption(new Option('--adjoint', 'also run E3-adjoint (same as adding adjoint to -e)').default(false, 'off'))
    .addOption(new Option('--curvature-rank <n>', 'stage-curvature: Krylov dimension').argParser(intAtLeast(1)).default(undefined, String(stageCurvatureOptions().curvatureRank)))
    .addOption(new Option('--curvature-sample <n>', 'stage-curvature: examples per Hessian').argParser(intAtLeast(1)).default(undefined, String(stageCurvatureOptions().curvatureSample)))
    .addOption(new Option('--no-reuse', 'recompute stage embeddings even if the run directory has them').default(true, 'reuse them'));
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
  estimator: string[];
  behaviour?: BehaviourSpec[];
  output: OutputMode[];
  adjoint: boolean;
  curvatureRank?: number;
  curvatureSample?: number;
  reuse: boolean;
}

export function attributionOptions(f: RawAttributionFlags): AttributeOptions {
  return {
    estimators: f.estimator.filter((n) => n !== ADJOINT),
    behaviours: f.behaviour,
    outputs: f.output,
    adjoint: f.adjoint || f.estimator.includes(ADJOINT),
    curvatureRank: f.curvatureRank,
    curvatureSample: f.curvatureSample,
    reuse: f.reuse,
  };
}
