"""Losses of src/nn/losses.ts recomputed with torch.nn.functional, for test/nn/oracle.test.ts.

Input: {"logits": [[...]], "labels": [int], "weights": [float], "pred": [[...]],
"target": [[...]], "prob": [[...]]}. Output: a dict of flat lists, one per loss variant.
"""
import torch
import torch.nn.functional as F

from common import read_input, write_output, tensor

d = read_input()
z = tensor(d["logits"])
y = torch.tensor(d["labels"], dtype=torch.long)
w = tensor(d["weights"])
pred, target, prob = tensor(d["pred"]), tensor(d["target"]), tensor(d["prob"])
none = F.cross_entropy(z, y, reduction="none")
label_logit = z.gather(1, y[:, None])[:, 0]
others = z.scatter(1, y[:, None], float("-inf"))
write_output({
    "ceMean": [F.cross_entropy(z, y).item()],
    "ceSum": [F.cross_entropy(z, y, reduction="sum").item()],
    "ceNone": none,
    # stagecredit's sample weights: (w * per-example loss), mean over the batch size.
    "ceWeightedMean": [(none * w).mean().item()],
    "mse": [F.mse_loss(pred, target).item()],
    "mseNone": F.mse_loss(pred, target, reduction="none").reshape(-1),
    "bce": [F.binary_cross_entropy_with_logits(pred, prob).item()],
    "bceSum": [F.binary_cross_entropy_with_logits(pred, prob, reduction="sum").item()],
    "margin": label_logit - others.max(dim=1).values,
    "prob": torch.softmax(z, dim=1).gather(1, y[:, None])[:, 0],
})
