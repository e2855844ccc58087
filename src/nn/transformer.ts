import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';
import type { TransformerConfig } from './config.js';
import { normal } from './init.js';
import { linear, layerNormParams, linearParams } from './layers.js';
import { assembleModel, type Model, type ParamDef, type ParamGetter } from './model.js';

/**
 * A one-block pre-LayerNorm transformer classifier over a sequence of tokens (e.g. the 28 rows
 * of an MNIST image: seqLen 28, tokenDim 28). Input [B, seqLen*tokenDim] is split into tokens.
 *
 *   h = embed(tokens) + pos                       embed: Linear(tokenDim, dModel); pos [seqLen, dModel]
 *   h = h + attn(ln1(h))                          multi-head self-attention, no mask, no dropout
 *   h = h + fc2(gelu(fc1(ln2(h))))                gelu = tanh approximation
 *   logits = head(mean over tokens of ln(h))
 *
 * attn(a) = o(concat_heads(softmax(q_h k_hᵀ / sqrt(dHead)) v_h)), q = a Wqᵀ + bq etc.; head h
 * uses features [h*dHead, (h+1)*dHead) of q, k and v (torch's split convention).
 *
 * Parameter names and order (the state_dict of test/oracle/nn.py's TorchTransformer):
 *   pos [seqLen, dModel], embed.weight [dModel, tokenDim], embed.bias,
 *   block.ln1.weight, block.ln1.bias,
 *   block.attn.{q,k,v,o}.weight [dModel, dModel], block.attn.{q,k,v,o}.bias,
 *   block.ln2.weight, block.ln2.bias,
 *   block.mlp.fc1.weight [mlp, dModel], block.mlp.fc1.bias, block.mlp.fc2.weight [dModel, mlp], block.mlp.fc2.bias,
 *   ln.weight, ln.bias, head.weight [numClasses, dModel], head.bias
 * Init: torch defaults for Linear and LayerNorm; pos ~ N(0, 0.02²) (torch has no default for a
 * bare Parameter; 0.02 is the usual ViT/GPT choice).
 */
export function createTransformer(config: TransformerConfig): Model {
  const full: Required<TransformerConfig> = {
    kind: 'transformer',
    seqLen: config.seqLen,
    tokenDim: config.tokenDim,
    dModel: config.dModel,
    heads: config.heads,
    mlpRatio: config.mlpRatio ?? 4,
    numClasses: config.numClasses,
  };
  const { seqLen: S, tokenDim, dModel: D, heads: H, numClasses } = full;
  const mlp = full.mlpRatio * D;
  const dh = D / H;

  const defs: ParamDef[] = [
    // A module's own parameters precede its submodules' in torch's named_parameters/state_dict.
    { name: 'pos', shape: [S, D], init: normal(0.02) },
    ...linearParams('embed', tokenDim, D),
    ...layerNormParams('block.ln1', D),
    ...linearParams('block.attn.q', D, D),
    ...linearParams('block.attn.k', D, D),
    ...linearParams('block.attn.v', D, D),
    ...linearParams('block.attn.o', D, D),
    ...layerNormParams('block.ln2', D),
    ...linearParams('block.mlp.fc1', D, mlp),
    ...linearParams('block.mlp.fc2', mlp, D),
    ...layerNormParams('ln', D),
    ...linearParams('head', D, numClasses),
  ];

  const lin = (p: ParamGetter, name: string, x: Tensor) => linear(x, p(`${name}.weight`), p(`${name}.bias`));
  const ln = (p: ParamGetter, name: string, x: Tensor) => T.layerNorm(x, p(`${name}.weight`), p(`${name}.bias`));
  const scale = 1 / Math.sqrt(dh);

  const attention = (p: ParamGetter, a: Tensor, B: number): Tensor => {
    // [B, S, D] -> [B, H, S, dh]
    const split = (t: Tensor) => T.permute(T.reshape(t, [B, S, H, dh]), [0, 2, 1, 3]);
    const q = split(lin(p, 'block.attn.q', a));
    const k = split(lin(p, 'block.attn.k', a));
    const v = split(lin(p, 'block.attn.v', a));
    const weights = T.softmax(T.mul(T.mm(q, k, false, true), scale), -1); // [B, H, S, S]
    const ctx = T.reshape(T.permute(T.mm(weights, v), [0, 2, 1, 3]), [B, S, D]);
    return lin(p, 'block.attn.o', ctx);
  };

  return assembleModel(full, defs, [S * tokenDim], numClasses, (p, x) => {
    const B = x.shape[0];
    let h = T.add(lin(p, 'embed', T.reshape(x, [B, S, tokenDim])), p('pos'));
    h = T.add(h, attention(p, ln(p, 'block.ln1', h), B));
    const m = lin(p, 'block.mlp.fc2', T.gelu(lin(p, 'block.mlp.fc1', ln(p, 'block.ln2', h))));
    h = T.add(h, m);
    const pooled = T.mean(ln(p, 'ln', h), 1); // [B, D]
    return lin(p, 'head', pooled);
  });
}
