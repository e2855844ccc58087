import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { DEFAULT_ESTIMATE } from '../attribution/index.js';
import { findFashionMnistDir } from '../data/index.js';

/** What the demo does after attributing: the follow-up fix for the blamed stage. */
export type CaseIntervention =
  /** Rerun the stage on another data set of the same examples (e.g. with the spurious feature decorrelated). */
  | { kind: 'replace-data'; stage: string; data: string; description: string }
  /** Retrain without the blamed stage. */
  | { kind: 'skip'; description: string };

/** A case study: a pipeline manifest shipped in cases/, and how to read its result. */
export interface CaseStudy {
  name: string;
  title: string;
  /** The manifest file in the package's cases/ directory. */
  manifest: string;
  /** The behaviour the headline is about (a behaviour name, e.g. "worstGroupLoss[group]"). */
  headlineBehaviour: string;
  /** The estimate the headline quotes ("<estimator>/<output>"); every estimate is shown beside the truth. */
  headlineEstimate: string;
  estimators: string[];
  /** Group column for the before/after table. */
  groupColumn?: string;
  intervention?: CaseIntervention;
  /** Why the case cannot run on this machine, or null. */
  unavailable?: () => string | null;
}

export const CASES: readonly CaseStudy[] = [
  {
    name: 'spurious-image',
    title: 'Spurious colour in one fine-tuning stage (Coloured MNIST)',
    manifest: 'spurious-image.json',
    headlineBehaviour: 'worstGroupLoss[group]',
    headlineEstimate: DEFAULT_ESTIMATE,
    estimators: ['task-vector', 'hessian-free', 'stage-curvature'],
    groupColumn: 'group',
    intervention: {
      kind: 'replace-data', stage: 'biased-finetune', data: 'biased-rebalanced',
      description: 'rerun the blamed stage on the same digits with colour independent of the label',
    },
  },
  {
    name: 'sanity',
    title: 'Four MNIST stages, estimates versus retraining',
    manifest: 'mnist-sanity.json',
    headlineBehaviour: 'meanLoss',
    headlineEstimate: DEFAULT_ESTIMATE,
    estimators: ['task-vector', 'hessian-free', 'stage-curvature', 'hessian-aware'],
  },
  {
    name: 'spurious-text',
    title: 'Identity-like tokens tied to the spam label in one stage (SpamAssassin)',
    manifest: 'spurious-text.json',
    headlineBehaviour: 'worstGroupLoss[group]',
    headlineEstimate: DEFAULT_ESTIMATE,
    estimators: ['task-vector', 'hessian-free', 'stage-curvature'],
    groupColumn: 'group',
    intervention: {
      kind: 'replace-data', stage: 'biased-finetune', data: 'biased-rebalanced',
      description: 'rerun the blamed stage on the same emails with the tokens injected independently of the label',
    },
  },
  {
    name: 'shift',
    title: 'Stages from two sources: which one helps or hurts the digits domain (MNIST and Fashion-MNIST)',
    manifest: 'shift.json',
    headlineBehaviour: 'meanLoss',
    headlineEstimate: DEFAULT_ESTIMATE,
    estimators: ['task-vector', 'hessian-free', 'stage-curvature'],
    intervention: { kind: 'skip', description: 'retrain without the blamed stage' },
    unavailable: () => (findFashionMnistDir() ? null : 'Fashion-MNIST is not installed: run `sudo apt-get install dataset-fashion-mnist` (or set STAGECREDIT_FASHION_MNIST_DIR)'),
  },
];

export const DEFAULT_CASE = 'spurious-image';

export function getCase(name: string): CaseStudy {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`unknown case "${name}" (cases: ${CASES.map((x) => x.name).join(', ')})`);
  return c;
}

/** The package's cases/ directory, from src/cases or dist/cases alike. */
export function casesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../cases', '../cases']) {
    const d = join(here, up);
    if (existsSync(join(d, 'spurious-image.json'))) return d;
  }
  throw new Error(`cannot find the cases/ directory next to ${here}`);
}
