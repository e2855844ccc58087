// The report's headline is decided in src/attribution/conclusions.ts, like every other surface's
// conclusion; this file only gives the report's modules the names they use.
export {
  behaviourLabel, behaviourUnit, chooseEstimate, decide, figureLabel, figureTag, harm, headlineEffects, selectionMean, shapleySignNotes,
} from '../attribution/conclusions.js';
import { decide } from '../attribution/conclusions.js';
import type { AttributionReport } from '../attribution/attribute.js';
import type { ValidationReport } from '../attribution/validate.js';
import type { Headline } from './results.js';

/** The headline for these reports (see conclusions.ts for the rules). */
export function computeHeadline(attribution: AttributionReport, validation: ValidationReport | null, requested: { behaviour?: string; estimate?: string } = {}): Headline {
  return decide(attribution, validation, requested).headline;
}
