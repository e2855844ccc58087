// Behaviour specs: what a user asks about the final model, as JSON (manifest, library) or as a
// short CLI string. Checked here without data; columns and group values are checked against the
// evaluation data when the specs are compiled (behaviours.ts).

/** A group value: its integer code, or its name from `data.groupNames[column]`. */
export type GroupValue = number | string;

export type BehaviourSpec =
  /** Cross-entropy of every evaluation example: n behaviours "loss[i]". */
  | { kind: 'exampleLoss' }
  /** Label logit minus the best other logit, per example (higher is better). */
  | { kind: 'exampleMargin' }
  /** Correct-class softmax probability, per example (higher is better). */
  | { kind: 'exampleProbability' }
  | { kind: 'meanLoss' }
  /** Mean loss over one group, or one behaviour per group present in the data when omitted. */
  | { kind: 'groupLoss'; column: string; group?: GroupValue }
  /** Accuracy surrogate: mean correct-class probability over the group (higher is better). */
  | { kind: 'groupAccuracy'; column: string; group?: GroupValue }
  /** Max over groups of the group mean loss; its gradient is the worst group's. */
  | { kind: 'worstGroupLoss'; column: string }
  /** Mean loss of group a minus mean loss of group b. */
  | { kind: 'groupGap'; column: string; a: GroupValue; b: GroupValue };

export type BehaviourKind = BehaviourSpec['kind'];

export const BEHAVIOUR_KINDS: readonly BehaviourKind[] = [
  'exampleLoss', 'exampleMargin', 'exampleProbability', 'meanLoss', 'groupLoss', 'groupAccuracy', 'worstGroupLoss', 'groupGap',
];

/** The CLI forms, for help texts and error messages. */
export const BEHAVIOUR_FORMS: readonly string[] = [
  'exampleLoss', 'exampleMargin', 'exampleProbability', 'meanLoss',
  'groupLoss:COLUMN', 'groupLoss:COLUMN=VALUE', 'groupAccuracy:COLUMN', 'groupAccuracy:COLUMN=VALUE',
  'worstGroupLoss:COLUMN', 'groupGap:COLUMN:A:B',
];

const formsHint = () => `valid forms: ${BEHAVIOUR_FORMS.join(', ')}`;

/** Keys each kind accepts besides `kind`; the bool says whether the key is required. */
const FIELDS: Record<BehaviourKind, Record<string, boolean>> = {
  exampleLoss: {},
  exampleMargin: {},
  exampleProbability: {},
  meanLoss: {},
  groupLoss: { column: true, group: false },
  groupAccuracy: { column: true, group: false },
  worstGroupLoss: { column: true },
  groupGap: { column: true, a: true, b: true },
};

function isKind(k: unknown): k is BehaviourKind {
  return typeof k === 'string' && (BEHAVIOUR_KINDS as readonly string[]).includes(k);
}

function checkGroupValue(v: unknown, at: string): GroupValue {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && v.length > 0) return v;
  throw new Error(`${at}: a group value is a non-negative integer code or a group name, got ${JSON.stringify(v)}`);
}

/** Checks a JSON value as a BehaviourSpec; `where` names it in errors (e.g. "evaluation.behaviours[1]"). */
export function validateBehaviourSpec(value: unknown, where: string): BehaviourSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: a behaviour is an object with a "kind" (one of ${BEHAVIOUR_KINDS.join(', ')}), got ${JSON.stringify(value)}`);
  }
  const o = value as Record<string, unknown>;
  if (!isKind(o.kind)) throw new Error(`${where}.kind: unknown behaviour kind ${JSON.stringify(o.kind)} (known: ${BEHAVIOUR_KINDS.join(', ')})`);
  const fields = FIELDS[o.kind];
  for (const key of Object.keys(o)) {
    if (key !== 'kind' && !Object.hasOwn(fields, key)) {
      const allowed = Object.keys(fields);
      throw new Error(`${where}.${key}: not a field of a ${o.kind} behaviour (${allowed.length ? `fields: ${allowed.join(', ')}` : 'it takes no fields'})`);
    }
  }
  for (const [key, required] of Object.entries(fields)) {
    if (required && o[key] === undefined) throw new Error(`${where}.${key}: required for a ${o.kind} behaviour`);
  }
  if (fields.column && (typeof o.column !== 'string' || o.column.length === 0)) {
    throw new Error(`${where}.column: must be a non-empty group column name, got ${JSON.stringify(o.column)}`);
  }
  switch (o.kind) {
    case 'groupLoss':
    case 'groupAccuracy':
      return o.group === undefined
        ? { kind: o.kind, column: o.column as string }
        : { kind: o.kind, column: o.column as string, group: checkGroupValue(o.group, `${where}.group`) };
    case 'worstGroupLoss':
      return { kind: o.kind, column: o.column as string };
    case 'groupGap':
      return { kind: o.kind, column: o.column as string, a: checkGroupValue(o.a, `${where}.a`), b: checkGroupValue(o.b, `${where}.b`) };
    default:
      return { kind: o.kind };
  }
}

/**
 * Parses the CLI syntax: "exampleLoss", "groupLoss:colour", "groupLoss:colour=red",
 * "worstGroupLoss:group", "groupGap:colour:red:green". Group values stay strings here ("1" may be
 * a name or a code); compileBehaviours resolves them against the data.
 */
export function parseBehaviourSpec(text: string): BehaviourSpec {
  const fail = (why: string): never => {
    throw new Error(`behaviour "${text}": ${why}; ${formsHint()}`);
  };
  const parts = text.trim().split(':');
  const kind = parts[0];
  if (!isKind(kind)) return fail(`unknown kind "${kind}"`);
  const nonEmpty = (s: string | undefined, what: string): string => (s && s.length > 0 ? s : fail(`missing ${what}`));
  switch (kind) {
    case 'exampleLoss':
    case 'exampleMargin':
    case 'exampleProbability':
    case 'meanLoss':
      if (parts.length > 1) fail(`${kind} takes no arguments`);
      return { kind };
    case 'groupLoss':
    case 'groupAccuracy': {
      if (parts.length !== 2) fail(`${kind} takes COLUMN or COLUMN=VALUE`);
      const arg = nonEmpty(parts[1], 'column');
      const eq = arg.indexOf('=');
      if (eq < 0) return { kind, column: arg };
      return { kind, column: nonEmpty(arg.slice(0, eq), 'column'), group: nonEmpty(arg.slice(eq + 1), 'group value') };
    }
    case 'worstGroupLoss':
      if (parts.length !== 2) fail('worstGroupLoss takes one COLUMN');
      return { kind, column: nonEmpty(parts[1], 'column') };
    case 'groupGap':
      if (parts.length !== 4) fail('groupGap takes COLUMN:A:B');
      return { kind, column: nonEmpty(parts[1], 'column'), a: nonEmpty(parts[2], 'group A'), b: nonEmpty(parts[3], 'group B') };
  }
}

/** The CLI form of a spec (the inverse of parseBehaviourSpec). */
export function formatBehaviourSpec(spec: BehaviourSpec): string {
  switch (spec.kind) {
    case 'groupLoss':
    case 'groupAccuracy':
      return spec.group === undefined ? `${spec.kind}:${spec.column}` : `${spec.kind}:${spec.column}=${spec.group}`;
    case 'worstGroupLoss':
      return `${spec.kind}:${spec.column}`;
    case 'groupGap':
      return `${spec.kind}:${spec.column}:${spec.a}:${spec.b}`;
    default:
      return spec.kind;
  }
}
