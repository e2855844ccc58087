import type { AttributionReport } from '../attribution/attribute.js';
import type { ValidationReport } from '../attribution/validate.js';
import type { Better } from '../attribution/behaviours.js';

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

export interface Headline {
  behaviour: string;
  blamedStage: string | null;
  creditedStage: string | null;
  summary: string;
  /** Estimate id the summary is based on; the effect bars then show the same one. */
  estimate?: string;
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
  examples: TopExample[];
}

export interface GroupOutcome {
  accuracy: number;
  worstGroupAccuracy: number;
  perGroup: { name: string; accuracy: number; loss: number }[];
}

export interface Intervention {
  description: string;
  before: GroupOutcome;
  after: GroupOutcome;
}

/** The per-stage numbers behind the headline and the effect bars. */
export interface HeadlineEffects {
  /** Estimate id (e.g. "hessian-free/exact") the headline and the bars use. */
  estimate: string;
  /** Why that estimate, in words. */
  estimateReason: string;
  /** Readable name of the plotted quantity, e.g. "test loss (mean over 300 examples)". */
  behaviour: string;
  /** Behaviours averaged into it: indices into attribution.behaviours.names. */
  behaviourIndices: number[];
  /** Which direction is good for the plotted quantity. */
  better: Better;
  /** Scores were negated so they could be averaged with losses. */
  orientedAsLoss: boolean;
  /** Short unit for numbers in sentences ("nats"), or "" when the behaviour has none. */
  unit: string;
  /** Mean over the behaviours: the estimate, the retraining truth and the Shapley value (null when not computed). */
  perStage: { stage: string; estimate: number; truth: number | null; shapley: number | null }[];
}

export interface Results {
  format: 'stagecredit-results';
  version: 1;
  run: RunInfo;
  attribution: AttributionReport;
  validation: ValidationReport | null;
  headline?: Headline;
  headlineEffects?: HeadlineEffects;
  topExamples?: TopExamples | null;
  intervention?: Intervention | null;
  /** The run fingerprint and the digests of the attribution and validation shown (pipeline/provenance.ts). */
  computedFrom?: { run: string | null; attribution: string; validation: string | null };
}

export type ResultsExtras = Partial<Pick<Results, 'headline' | 'topExamples' | 'intervention'>>;

export { collectResults } from './collect.js';
