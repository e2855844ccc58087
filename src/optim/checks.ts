import { sameShape, shapeStr, zeros, type Tensor } from '../tensor/index.js';
import type { OptimizerState } from './types.js';

// Argument checks shared by the optimizers: a wrong list length or shape would otherwise surface
// as a broadcasting error far from its cause, or worse, broadcast silently.

export function checkLr(where: string, lr: number): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${where}: lr must be a finite number >= 0 (got ${String(lr)})`);
  }
}

/** `others` must match `params` one for one, in shape and dtype. */
export function checkLike(where: string, what: string, params: readonly Tensor[], others: readonly Tensor[]): void {
  if (others.length !== params.length) {
    throw new Error(`${where}: ${others.length} ${what} for ${params.length} parameters`);
  }
  params.forEach((p, i) => {
    const o = others[i];
    if (!sameShape(p.shape, o.shape) || p.dtype !== o.dtype) {
      throw new Error(`${where}: ${what}[${i}] is ${o.dtype} ${shapeStr(o.shape)}, parameter ${i} is ${p.dtype} ${shapeStr(p.shape)}`);
    }
  });
}

/**
 * A slot of the state, or null when absent. With `tiedToStep`, slots must exist exactly after the
 * first step (Adam creates its moments together with its step count); without it only the shapes
 * are checked (torch's SGD keeps no step count: an absent buffer just means "none yet").
 */
export function slotOf(where: string, state: OptimizerState, name: string, params: readonly Tensor[], tiedToStep: boolean): Tensor[] | null {
  if (!Number.isSafeInteger(state.step) || state.step < 0) {
    throw new Error(`${where}: state.step must be an integer >= 0 (got ${String(state.step)})`);
  }
  const slot = state.slots[name];
  if (tiedToStep && (slot === undefined) !== (state.step === 0)) {
    throw new Error(
      slot === undefined
        ? `${where}: state.step is ${state.step} but slot "${name}" is missing (a state from another optimizer?)`
        : `${where}: slot "${name}" is present before the first step (state.step 0)`,
    );
  }
  if (slot) checkLike(where, `slots.${name}`, params, slot);
  return slot ?? null;
}

/** A perturbation slot; absent means zero. */
export function perturbationOf(where: string, slots: Record<string, Tensor[]>, name: string, params: readonly Tensor[]): Tensor[] | null {
  const s = slots[name];
  if (s) checkLike(where, `d.slots.${name}`, params, s);
  return s ?? null;
}

export function zerosLike(ts: readonly Tensor[]): Tensor[] {
  return ts.map((t) => zeros(t.shape, t.dtype));
}
