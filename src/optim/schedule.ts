import { fail, finiteAtLeast0, taggedSpec } from './specFields.js';

// Learning-rate schedules of a stage, defined as torch.optim.lr_scheduler defines them.
//
// Convention (torch's): the lr used at the stage's step s is the value after s calls of
// scheduler.step(), each made after optimizer.step(). So step 0 always runs at the scheduler's
// initial value, and a schedule "to etaMin over T steps" reaches etaMin at step T, i.e. just
// after a stage of T steps ends.
//
// A stepped torch scheduler does not use its closed form (_get_closed_form_lr, only used when an
// explicit epoch is passed): it updates the previous lr multiplicatively (the "chainable" get_lr).
// The two differ at the float level (StepLR and LinearLR by an ulp or two, CosineAnnealingLR by
// ~1e-15 relative, and LinearLR then never lands exactly on endFactor * baseLr). We replay the
// chainable recurrences operation for operation, so results equal torch 1.13's bit for bit except
// where V8's Math.cos and glibc's cos (neither correctly rounded) differ in the last bit, ~2-3% of
// arguments. Such an ulp is amplified by 1 / (1 + cos) in the cosine ratio, so within ~0.5% of a
// trough of a long cosine (T >~ 1e4) with etaMin = 0 a step's lr can differ by up to ~3e-11
// relative (still ~1e-16 * baseLr absolute); it does not accumulate, as the next step's ratio
// divides the same cos value out again. Elsewhere agreement is ~1e-15 relative or better.

export type ScheduleSpec =
  | { kind: 'constant' }
  /** torch StepLR: multiply by gamma every stepSize steps. */
  | { kind: 'step'; stepSize: number; gamma: number }
  /** torch LinearLR with torch's defaults (startFactor 1/3, endFactor 1, totalIters 5 — not the
   *  stage's step count); the factor stays at endFactor after totalIters steps. */
  | { kind: 'linear'; startFactor?: number; endFactor?: number; totalIters?: number }
  /** torch CosineAnnealingLR; tMax defaults to the stage's step count, etaMin to 0. Past tMax the
   *  lr climbs back up, as torch's does. */
  | { kind: 'cosine'; tMax?: number; etaMin?: number }
  /** torch SequentialLR([LinearLR(warmupStartFactor, 1, warmupSteps),
   *  CosineAnnealingLR(steps - warmupSteps, etaMin)], milestones=[warmupSteps]);
   *  warmupStartFactor defaults to LinearLR's 1/3. */
  | { kind: 'warmupCosine'; warmupSteps: number; etaMin?: number; warmupStartFactor?: number }
  /** One lr per step. */
  | { kind: 'explicit'; lrs: number[] };

export type ScheduleKind = ScheduleSpec['kind'];
type SpecOf<K extends ScheduleKind> = Extract<ScheduleSpec, { kind: K }>;

const FIELDS: Record<ScheduleKind, readonly string[]> = {
  constant: [],
  step: ['stepSize', 'gamma'],
  linear: ['startFactor', 'endFactor', 'totalIters'],
  cosine: ['tMax', 'etaMin'],
  warmupCosine: ['warmupSteps', 'etaMin', 'warmupStartFactor'],
  explicit: ['lrs'],
};

export const SCHEDULE_KINDS = Object.keys(FIELDS) as ScheduleKind[];

const DEFAULT_START_FACTOR = 1 / 3; // torch LinearLR's default, 1.0 / 3

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(field, 'an integer >= 1', v);
  return v;
}

function factor(v: unknown, field: string, allowZero: boolean): number {
  const ok = typeof v === 'number' && v <= 1 && (allowZero ? v >= 0 : v > 0);
  // torch rejects factors outside [0, 1]; a start factor of exactly 0 makes LinearLR's chainable
  // step divide by zero (ZeroDivisionError in torch 1.13), so it is refused here too.
  if (!ok) fail(field, allowZero ? 'a number in [0, 1]' : 'a number in (0, 1]', v);
  return v;
}

function checkSteps(steps: unknown, field: string): number {
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) fail(field, 'an integer >= 0', steps);
  return steps;
}

/** Checks an untrusted (e.g. parsed JSON) schedule for a stage of `steps` steps. Errors name the
 *  offending field as `${where}.field`. Returns a copy holding only the spec's own fields. */
export function validateScheduleSpec(spec: unknown, steps: number, where: string): ScheduleSpec {
  checkSteps(steps, `${where}: steps`);
  const { o, kind: k } = taggedSpec(spec, where, FIELDS, 'schedule');
  const f = (name: string) => `${where}.${name}`;
  switch (k) {
    case 'constant':
      return { kind: k };
    case 'step':
      return { kind: k, stepSize: positiveInt(o.stepSize, f('stepSize')), gamma: finiteAtLeast0(o.gamma, f('gamma')) };
    case 'linear': {
      const s: SpecOf<'linear'> = { kind: k };
      if (o.startFactor !== undefined) s.startFactor = factor(o.startFactor, f('startFactor'), false);
      if (o.endFactor !== undefined) s.endFactor = factor(o.endFactor, f('endFactor'), true);
      if (o.totalIters !== undefined) s.totalIters = positiveInt(o.totalIters, f('totalIters'));
      return s;
    }
    case 'cosine': {
      const s: SpecOf<'cosine'> = { kind: k };
      if (o.tMax !== undefined) s.tMax = positiveInt(o.tMax, f('tMax'));
      if (o.etaMin !== undefined) s.etaMin = finiteAtLeast0(o.etaMin, f('etaMin'));
      return s;
    }
    case 'warmupCosine': {
      const w = positiveInt(o.warmupSteps, f('warmupSteps'));
      // The cosine phase needs at least one step (torch's T_max = steps - warmupSteps > 0);
      // for no warmup use kind "cosine" (torch's SequentialLR misbehaves with milestone 0).
      if (steps > 0 && w >= steps) fail(f('warmupSteps'), `less than the stage's ${steps} steps`, w);
      const s: SpecOf<'warmupCosine'> = { kind: k, warmupSteps: w };
      if (o.etaMin !== undefined) s.etaMin = finiteAtLeast0(o.etaMin, f('etaMin'));
      if (o.warmupStartFactor !== undefined) {
        s.warmupStartFactor = factor(o.warmupStartFactor, f('warmupStartFactor'), false);
      }
      return s;
    }
    case 'explicit': {
      const lrs = o.lrs;
      if (!Array.isArray(lrs)) fail(f('lrs'), 'an array of learning rates', lrs);
      if (lrs.length !== steps) {
        throw new Error(`${f('lrs')} must have one lr per step: ${steps} entries (got ${lrs.length})`);
      }
      return { kind: k, lrs: lrs.map((v: unknown, i: number) => finiteAtLeast0(v, `${f('lrs')}[${i}]`)) };
    }
  }
}

// Python's %, which is non-negative for a positive modulus.
function pyMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** CosineAnnealingLR.get_lr for last_epoch = 1, 2, ... given the lr at last_epoch 0. */
function cosineChain(out: Float64Array, from: number, lr0: number, base: number, etaMin: number, tMax: number): void {
  let lr = lr0;
  out[from] = lr;
  for (let e = 1; from + e < out.length; e++) {
    if (pyMod(e - 1 - tMax, 2 * tMax) === 0) {
      // Past a trough (where the ratio below would divide by 1 + cos(pi) = 0).
      lr = lr + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
    } else {
      lr = (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
    }
    out[from + e] = lr;
  }
}

/** LinearLR.get_lr for last_epoch = 0 .. n-1, written into out[0 .. n-1]. */
function linearChain(out: Float64Array, n: number, base: number, start: number, end: number, total: number): void {
  let lr = base * start;
  for (let e = 0; e < n; e++) {
    if (e > 0 && e <= total) lr = lr * (1 + (end - start) / (total * start + (e - 1) * (end - start)));
    out[e] = lr;
  }
}

/** The lr used at each of the stage's `steps` steps, starting from the optimizer's `baseLr`. */
export function resolveSchedule(spec: ScheduleSpec, baseLr: number, steps: number): Float64Array {
  const s = validateScheduleSpec(spec, steps, 'schedule');
  finiteAtLeast0(baseLr, 'baseLr');
  const out = new Float64Array(steps);
  if (steps === 0) return out;
  switch (s.kind) {
    case 'constant':
      out.fill(baseLr);
      break;
    case 'step': {
      let lr = baseLr;
      for (let e = 0; e < steps; e++) {
        if (e > 0 && e % s.stepSize === 0) lr = lr * s.gamma;
        out[e] = lr;
      }
      break;
    }
    case 'linear':
      linearChain(out, steps, baseLr, s.startFactor ?? DEFAULT_START_FACTOR, s.endFactor ?? 1, s.totalIters ?? 5);
      break;
    case 'cosine':
      // At last_epoch 0 torch keeps the optimizer's lr as is.
      cosineChain(out, 0, baseLr, baseLr, s.etaMin ?? 0, s.tMax ?? steps);
      break;
    case 'warmupCosine': {
      const w = s.warmupSteps;
      const etaMin = s.etaMin ?? 0;
      linearChain(out, w, baseLr, s.warmupStartFactor ?? DEFAULT_START_FACTOR, 1, w);
      // At the milestone SequentialLR calls cosine.step(0), which takes the closed form at epoch 0:
      // etaMin + (base - etaMin) * (1 + cos(0)) / 2. The "* 2 / 2" is exact, the sum need not be.
      cosineChain(out, w, etaMin + (baseLr - etaMin), baseLr, etaMin, steps - w);
      break;
    }
    case 'explicit':
      out.set(s.lrs);
      break;
  }
  return out;
}
