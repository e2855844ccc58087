import type { AdamSpec, OptimizerKind, OptimizerSpec, SgdSpec } from './types.js';
import { fail, finiteAtLeast0, taggedSpec } from './specFields.js';

// Checks an untrusted (e.g. parsed JSON) optimizer spec. Ranges are torch's where torch checks
// (lr, weight decay, eps >= 0; betas in [0, 1); its nesterov rule), tighter where torch accepts
// nonsense: momentum must be < 1 and dampening in [0, 1].

const FIELDS: Record<OptimizerKind, readonly string[]> = {
  sgd: ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'decoupledWeightDecay'],
  adam: ['lr', 'betas', 'eps', 'weightDecay'],
  adamw: ['lr', 'betas', 'eps', 'weightDecay'],
};

export const OPTIMIZER_KINDS = Object.keys(FIELDS) as OptimizerKind[];

function inUnit(v: unknown, field: string, closed: boolean): number {
  const ok = typeof v === 'number' && v >= 0 && (closed ? v <= 1 : v < 1);
  if (!ok) fail(field, closed ? 'a number in [0, 1]' : 'a number in [0, 1)', v);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') fail(field, 'true or false', v);
  return v;
}

/** Errors name the offending field as `${where}.field`. Returns a copy holding only the spec's
 *  own fields (defaults are not filled in, so the copy serialises as the user wrote it). */
export function validateOptimizerSpec(spec: unknown, where: string): OptimizerSpec {
  const { o, kind: k } = taggedSpec(spec, where, FIELDS, 'optimizer');
  const f = (name: string) => `${where}.${name}`;
  const lr = finiteAtLeast0(o.lr, f('lr'));
  if (k === 'sgd') {
    const s: SgdSpec = { kind: k, lr };
    if (o.momentum !== undefined) s.momentum = inUnit(o.momentum, f('momentum'), false);
    if (o.dampening !== undefined) s.dampening = inUnit(o.dampening, f('dampening'), true);
    if (o.nesterov !== undefined) s.nesterov = bool(o.nesterov, f('nesterov'));
    if (o.weightDecay !== undefined) s.weightDecay = finiteAtLeast0(o.weightDecay, f('weightDecay'));
    if (o.decoupledWeightDecay !== undefined) s.decoupledWeightDecay = bool(o.decoupledWeightDecay, f('decoupledWeightDecay'));
    const mu = s.momentum ?? 0;
    const damp = s.dampening ?? 0;
    if (s.nesterov && (mu <= 0 || damp !== 0)) {
      throw new Error(`${f('nesterov')} requires momentum > 0 and dampening 0, as torch.optim.SGD does (got momentum ${mu}, dampening ${damp})`);
    }
    return s;
  }
  const s: AdamSpec = { kind: k, lr };
  if (o.betas !== undefined) {
    const b = o.betas;
    if (!Array.isArray(b) || b.length !== 2) fail(f('betas'), 'a pair [beta1, beta2]', b);
    s.betas = [inUnit(b[0], `${f('betas')}[0]`, false), inUnit(b[1], `${f('betas')}[1]`, false)];
  }
  if (o.eps !== undefined) s.eps = finiteAtLeast0(o.eps, f('eps'));
  if (o.weightDecay !== undefined) s.weightDecay = finiteAtLeast0(o.weightDecay, f('weightDecay'));
  return s;
}
