"""Shared plumbing for oracle scripts driven by test/helpers/torchOracle.ts.

Protocol: one JSON document on stdin, one on stdout. Floats travel as JSON
numbers: json.dumps writes repr(float), the shortest string that round-trips a
double, and JS's JSON.parse rounds correctly, so values are bit-exact. JSON has
no NaN/Infinity/-0 (JS's JSON.stringify turns NaN into null and -0 into 0), so
both sides encode those as {"$float": "nan" | "inf" | "-inf" | "-0"}.
"""
import json
import math
import sys

import torch

torch.set_default_dtype(torch.float64)

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}


def _decode(obj):
    if len(obj) == 1 and "$float" in obj:
        return _SPECIAL[obj["$float"]]
    return obj


def _encode(x):
    if isinstance(x, torch.Tensor):
        return _encode(x.detach().cpu().tolist())
    if isinstance(x, float):
        if math.isnan(x):
            return {"$float": "nan"}
        if math.isinf(x):
            return {"$float": "inf" if x > 0 else "-inf"}
        if x == 0.0 and math.copysign(1.0, x) < 0:
            return {"$float": "-0"}
        return x
    if isinstance(x, dict):
        return {str(k): _encode(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_encode(v) for v in x]
    return x


def read_input():
    """The JSON value sent by runTorch, with special floats decoded."""
    return json.loads(sys.stdin.read() or "null", object_hook=_decode)


def write_output(value):
    """Send one JSON value back; tensors become nested lists."""
    # allow_nan=False: any non-finite float that escaped _encode is a bug, not data.
    sys.stdout.write(json.dumps(_encode(value), allow_nan=False))
    sys.stdout.flush()


def tensor(values):
    """A float64 tensor from (nested) lists received over JSON."""
    return torch.tensor(values, dtype=torch.float64)
