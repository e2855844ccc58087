import { Tensor, type GradNode } from '../tensor/tensor.js';

// Global autodiff state. Reverse mode records a graph on every op whose inputs are tracked;
// forward mode carries one tangent per tensor for the single active jvp level.
let recording = true;
let forwardLevel = -1;
let forwardSuspended = false;
let nextLevel = 0;
let reverseDepth = 0;

/**
 * One primitive: its vector-Jacobian product and Jacobian-vector product, written in
 * differentiable ops so that they compose (grad of grad, jvp of grad).
 */
export interface Rules<A> {
  readonly name: string;
  /**
   * Cotangent of the output -> one cotangent (or null) per input. Inputs with `needs[i]` false lead
   * to nothing being differentiated: a rule should return null for them rather than compute it.
   */
  vjp(g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A, needs: readonly boolean[]): (Tensor | null)[];
  /** Tangents of the inputs (null = zero; at least one is set) -> tangent of the output. */
  jvp(tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, attrs: A): Tensor;
}

/** A recorded primitive: its rules bound to its inputs, output and attributes (one object, no closures). */
class RecordedNode<A> implements GradNode {
  constructor(
    private readonly rules: Rules<A>,
    readonly inputs: readonly Tensor[],
    private readonly out: Tensor,
    private readonly attrs: A,
  ) {}

  get op(): string {
    return this.rules.name;
  }

  vjp(g: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
    return this.rules.vjp(g, this.inputs, this.out, this.attrs, needs);
  }

  jvp(tangents: readonly (Tensor | null)[]): Tensor {
    return this.rules.jvp(tangents, this.inputs, this.out, this.attrs);
  }
}

/** Attaches reverse-mode and forward-mode information to a freshly computed primitive output. */
export function record<A>(rules: Rules<A>, inputs: readonly Tensor[], out: Tensor, attrs: A): Tensor {
  if (recording) {
    for (const t of inputs) {
      if (t.tracked) {
        out.node = new RecordedNode(rules, inputs, out, attrs);
        break;
      }
    }
  }
  if (forwardLevel >= 0 && !forwardSuspended) {
    let any = false;
    const tangents = inputs.map((t) => {
      const d = t.tangentLevel === forwardLevel ? t.tangent : null;
      if (d) any = true;
      return d;
    });
    if (any) {
      // The rule's own ops must not grow tangents of tangents at this level.
      forwardSuspended = true;
      try {
        out.tangent = rules.jvp(tangents, inputs, out, attrs);
      } finally {
        forwardSuspended = false;
      }
      out.tangentLevel = forwardLevel;
    }
  }
  return out;
}

/**
 * True when an op on these tensors would record nothing in either mode, so a caller may compute
 * its result with a fused kernel (same arithmetic, no graph, no tangent) instead of op by op.
 */
export function isUndifferentiated(ts: readonly (Tensor | null | undefined)[]): boolean {
  for (const t of ts) {
    if (!t) continue;
    if (recording && t.tracked) return false;
    if (forwardLevel >= 0 && !forwardSuspended && t.tangentLevel === forwardLevel) return false;
  }
  return true;
}

/** True while a jvp level is open. */
export function insideForwardLevel(): boolean {
  return forwardLevel >= 0;
}

export function isRecording(): boolean {
  return recording;
}

/** Runs fn without recording reverse-mode graphs (like torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = prev;
  }
}

export function withRecording<T>(on: boolean, fn: () => T): T {
  const prev = recording;
  recording = on;
  try {
    return fn();
  } finally {
    recording = prev;
  }
}

/** Opens a forward-mode level for the duration of fn. Nested jvp levels are not supported. */
export function withForwardLevel<T>(fn: (level: number) => T): T {
  if (forwardLevel >= 0) {
    throw new Error('jvp: nested forward-mode levels are not supported (use jvp of grad, or grad of jvp)');
  }
  const level = nextLevel++;
  forwardLevel = level;
  try {
    return fn(level);
  } finally {
    forwardLevel = -1;
  }
}

/** Counts enclosing functional grad calls, so an inner grad knows to record its backward pass. */
export function withReverseScope<T>(fn: () => T): T {
  reverseDepth++;
  try {
    return fn();
  } finally {
    reverseDepth--;
  }
}

export function insideReverseScope(): boolean {
  return reverseDepth > 0;
}
