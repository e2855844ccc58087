import type { AttributionReport } from '../attribution/attribute.js';
import type { ValidationReport } from '../attribution/validate.js';
import type { Conclusion, Headline, HeadlineEffects } from '../attribution/conclusions.js';

export type { Headline, HeadlineEffects, StageFigure } from '../attribution/conclusions.js';

// results.json: every number report.html shows, in one file next to it.

export interface StageInfo {
  name: string;
  description?: string;
  startStep: number;
  endStep: number;
  /** The stage's data set name in the manifest. */
  data: string;
  /** What that data is, from the manifest: recipe, transforms, batch size. */
  dataSummary?: string;
  /** e.g. "SGD lr 0.1 momentum 0.9 wd 5e-4, cosine". */
  optimizer: string;
  /** Null when the run did not measure it (e.g. no evaluation set). */
  trainLoss: number | null;
  evalLoss: number | null;
  evalAccuracy: number | null;
}

export interface RunInfo {
  name: string;
  description?: string;
  stages: StageInfo[];
  totalSteps: number;
  trainSeconds: number;
}

export interface ImagePixels {
  channels: number;
  height: number;
  width: number;
  /** CHW, values in [0, 1]. */
  pixels: number[];
}

export interface TopExample {
  /** Index into the stage's data. */
  index: number;
  /** Contribution to the stage's effect on the behaviour (same sign convention). */
  contribution: number;
  label: string;
  groups?: Record<string, string>;
  image?: ImagePixels;
  text?: string;
}

export interface TopExamples {
  stage: number;
  behaviour: string;
  estimator: string;
  /** The stage's total effect by the same split (examples' sum + optimizer term); absent in older files. */
  total?: number;
  examplesSum?: number;
  optimizerTerm?: number;
  /** Examples in the stage's data (all of them contribute to the sum). */
  exampleCount?: number;
  /** The largest contributions in each direction: positive ones first, then negative ones. */
  examples: TopExample[];
}

export interface GroupOutcome {
  accuracy: number;
  /** Null when the case has no groups (then only accuracy and loss mean anything). */
  worstGroupAccuracy: number | null;
  /** Mean test loss (absent in older files). */
  loss?: number;
  perGroup: { name: string; accuracy: number; loss: number }[];
}

export interface Intervention {
  description: string;
  /** The stage the intervention changed (absent in older files). */
  stage?: string;
  before: GroupOutcome;
  after: GroupOutcome;
}

export interface Results {
  format: 'stagecredit-results';
  version: 1;
  run: RunInfo;
  attribution: AttributionReport;
  validation: ValidationReport | null;
  /** Decided by src/attribution/conclusions.ts from the rest of this file. */
  headline?: Headline;
  headlineEffects?: HeadlineEffects;
  /** The same decision's verdicts: blamed/credited stage indices, retraining checks, intervention. */
  conclusion?: Omit<Conclusion, 'effects' | 'headline'>;
  topExamples?: TopExamples | null;
  intervention?: Intervention | null;
  /** The run fingerprint and the digests of the attribution and validation shown (pipeline/provenance.ts). */
  computedFrom?: { run: string | null; attribution: string; validation: string | null };
}

/**
 * What a case study adds. `headline` only says which behaviour and estimate the headline is about;
 * the sentences are always decided by conclusions.ts (other fields of older files are ignored).
 */
export type ResultsExtras = Partial<Pick<Results, 'topExamples' | 'intervention'>> & {
  headline?: { behaviour?: string; estimate?: string; blamedStage?: string | null; creditedStage?: string | null; summary?: string };
};

export { collectResults } from './collect.js';
