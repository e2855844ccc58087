import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ResultsExtras } from './results.js';

// results-extras.json: what a case study adds to a run's report (its headline, the blamed stage's
// top examples, the intervention's outcome). Checked here so a malformed file fails with the
// field's path instead of a broken page.

// The headline's behaviour and estimate; the sentences are decided by conclusions.ts, so the other
// fields (written by older versions) are accepted and ignored.
const headline = z.object({
  behaviour: z.string().optional(),
  estimate: z.string().optional(),
  blamedStage: z.string().nullable().optional(),
  creditedStage: z.string().nullable().optional(),
  summary: z.string().optional(),
}).strict();

const image = z.object({
  channels: z.union([z.literal(1), z.literal(3), z.literal(4)]),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  pixels: z.array(z.number()),
}).strict().refine((im) => im.pixels.length === im.channels * im.height * im.width, {
  message: 'pixels must hold channels * height * width values (CHW)',
});

const topExamples = z.object({
  stage: z.number().int().nonnegative(),
  behaviour: z.string(),
  estimator: z.string(),
  total: z.number().optional(),
  examplesSum: z.number().optional(),
  optimizerTerm: z.number().optional(),
  exampleCount: z.number().int().nonnegative().optional(),
  examples: z.array(z.object({
    index: z.number().int().nonnegative(),
    contribution: z.number(),
    label: z.string(),
    groups: z.record(z.string(), z.string()).optional(),
    image: image.optional(),
    text: z.string().optional(),
  }).strict()),
}).strict();

const outcome = z.object({
  accuracy: z.number(),
  worstGroupAccuracy: z.number().nullable(),
  loss: z.number().optional(),
  perGroup: z.array(z.object({ name: z.string(), accuracy: z.number(), loss: z.number() }).strict()),
}).strict();

const extrasSchema = z.object({
  headline: headline.optional(),
  topExamples: topExamples.nullable().optional(),
  intervention: z.object({ description: z.string(), stage: z.string().optional(), before: outcome, after: outcome }).strict().nullable().optional(),
}).strict();

/** Checks extras given in code or read from a file; `source` names them in errors. */
export function validateExtras(value: unknown, source: string): ResultsExtras {
  const parsed = extrasSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid report extras in ${source}:\n${issues.join('\n')}`);
  }
  return parsed.data as ResultsExtras;
}

/** The run's results-extras.json, or {} when there is none. */
export function readExtrasFile(path: string): ResultsExtras {
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return validateExtras(json, path);
}
