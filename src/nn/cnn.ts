import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';
import type { CnnConfig } from './config.js';
import { activationFn, conv2dParams, linear, linearParams } from './layers.js';
import { assembleModel, type Model, type ParamDef } from './model.js';

/**
 * Small convolutional network, the equivalent of
 *   nn.Sequential(
 *     Conv2d(C, c0, k, padding=k//2), Act(), MaxPool2d(2),      # indices 0, 1, 2
 *     Conv2d(c0, c1, k, padding=k//2), Act(), MaxPool2d(2),     # indices 3, 4, 5
 *     ...,
 *     Flatten(),                                                # index 3n
 *     Linear(c_last*H'*W', h0), Act(), ...,                     # indices 3n+1, 3n+2, ...
 *     Linear(..., classes))                                     # index 3n+1+2*hidden.length
 * with AvgPool2d(2) instead when pool = 'avg'. Pools floor odd sizes, as torch does.
 */
export function createCnn(config: CnnConfig): Model {
  const full: Required<CnnConfig> = {
    kind: 'cnn',
    inputShape: [...config.inputShape],
    channels: [...config.channels],
    kernel: config.kernel ?? 3,
    pool: config.pool ?? 'max',
    hidden: [...(config.hidden ?? [])],
    numClasses: config.numClasses,
    activation: config.activation ?? 'relu',
  };
  const { kernel, channels, hidden } = full;
  const [c0, h0, w0] = full.inputShape;
  const pad = (kernel - 1) / 2;

  const defs: ParamDef[] = [];
  const convs: string[] = [];
  let [c, h, w] = [c0, h0, w0];
  channels.forEach((co, i) => {
    convs.push(String(3 * i));
    defs.push(...conv2dParams(convs[i], c, co, kernel));
    [c, h, w] = [co, Math.floor(h / 2), Math.floor(w / 2)];
  });
  const widths = [c * h * w, ...hidden, full.numClasses];
  const dense: string[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    dense.push(String(3 * channels.length + 1 + 2 * i));
    defs.push(...linearParams(dense[i], widths[i], widths[i + 1]));
  }

  const act = activationFn(full.activation);
  const pool = full.pool === 'max' ? (x: Tensor) => T.maxPool2d(x, 2) : (x: Tensor) => T.avgPool2d(x, 2);
  return assembleModel(full, defs, [c0, h0, w0], full.numClasses, (p, x) => {
    let y = x;
    for (const name of convs) y = pool(act(T.conv2d(y, p(`${name}.weight`), p(`${name}.bias`), 1, pad)));
    y = T.flatten(y, 1); // channel-major, matching nn.Flatten on NCHW
    dense.forEach((name, i) => {
      y = linear(y, p(`${name}.weight`), p(`${name}.bias`));
      if (i < dense.length - 1) y = act(y);
    });
    return y;
  });
}
