"""Record a PyTorch training run as a stagecredit run directory.

Needs only torch and the Python standard library. A few lines in an existing training loop:

    from stagecredit_recorder import Recorder, Dataset

    rec = Recorder("runs/my-run", model, example_input=x_train[:2],
                   datasets={"train": Dataset(x_train, y_train), "test": Dataset(x_test, y_test)},
                   evaluation="test")
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    with rec.stage("warmup", opt, data="train") as st:
        for idx in st.batches(batch_size=32, steps=100, seed=0):    # or st.step(indices=...) below
            opt.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            st.clip_grad_norm_(1.0)                                  # optional, every step
            st.step(loss=loss)                                       # records, then opt.step()
    rec.finish()

then `npx stagecredit attribute runs/my-run`. What is recorded is what torch did: the optimizer's
class and hyperparameters read from the optimizer object, whether its state was empty (reset) or
not (carried) when the stage began, the learning rate of every step, the batch indices of every
step, the clipping threshold, and the parameters and optimizer state at every stage boundary.

The run directory (file formats in the stagecredit README, "Attribute a PyTorch run"):
    manifest.json, run.json, trace.safetensors, model.onnx, init.safetensors,
    data/<name>.safetensors, batches/<stage>.json, checkpoints/boundary-K.safetensors,
    checkpoints/step-T.safetensors (checkpoint_every > 0), final.safetensors
Every path inside is relative to the directory, so it can be moved or copied as a whole.

Exact replay needs float64 and determinism. Dropout (p > 0 in train mode) or data augmentation
(declared with augmentation=True, or detected when st.step(inputs=...) sees inputs that differ from
the data set's rows) cannot be replayed bit-for-bit: the run is then marked "estimates only" in
run.json and a warning is printed.
"""

import array
import json
import math
import os
import sys
import time
import warnings

import torch
import torch.nn as nn

__all__ = ["Recorder", "Dataset", "RecorderError", "write_safetensors", "write_dataset", "export_onnx"]

FORMAT_VERSION = 1


class RecorderError(Exception):
    """Something the recorder cannot record faithfully; the message says what and how to fix it."""


# ---------------------------------------------------------------------------------------------
# safetensors, written with the standard library

_ST_DTYPES = {
    torch.float64: ("F64", "d"),
    torch.float32: ("F32", "f"),
    torch.int32: ("I32", "i"),
    torch.int64: ("I64", "q"),
}


_CHUNK = 1 << 20  # elements converted at a time, so a large data set never becomes one Python list


def _tensor_chunks(t):
    """The tensor's little-endian bytes, in chunks (tolist() of a whole MNIST would take gigabytes)."""
    t = t.detach().cpu().contiguous()
    if t.dtype not in _ST_DTYPES:
        raise RecorderError(f"cannot write a {t.dtype} tensor to safetensors (supported: float64, float32, int32, int64)")
    _, code = _ST_DTYPES[t.dtype]
    flat = t.reshape(-1)
    for start in range(0, flat.numel(), _CHUNK):
        data = array.array(code, flat[start:start + _CHUNK].tolist())
        if sys.byteorder == "big":
            data.byteswap()  # safetensors is little-endian
        yield data.tobytes()


def _atomic_write(path, payload):
    _atomic_write_chunks(path, [payload])


def _atomic_write_chunks(path, chunks):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} as a safetensors file (8-byte little-endian header length, JSON header
    padded with spaces to a multiple of 8, then the tensors' bytes back to back), atomically."""
    header = {}
    offset = 0
    for name, t in tensors.items():
        if t.dtype not in _ST_DTYPES:
            raise RecorderError(f"tensor {name!r}: cannot write {t.dtype} to safetensors (supported: float64, float32, int32, int64)")
        size = t.numel() * t.element_size()
        header[name] = {"dtype": _ST_DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)

    def chunks():
        yield len(h).to_bytes(8, "little") + h
        for t in tensors.values():
            yield from _tensor_chunks(t)

    _atomic_write_chunks(path, chunks())


# ---------------------------------------------------------------------------------------------
# data sets

class Dataset:
    """A classification data set as the model sees it: inputs x [n, ...] (float), labels y [n]
    (integers 0..num_classes-1), optional group columns {name: integer codes [n]} with readable
    names per code, and class names."""

    def __init__(self, x, y, groups=None, group_names=None, class_names=None, num_classes=None, name=None, source="recorded from PyTorch"):
        if not torch.is_tensor(x) or not x.is_floating_point() or x.dim() < 2:
            raise RecorderError("Dataset: x must be a floating-point tensor [n, ...] holding the inputs exactly as the model receives them")
        y = torch.as_tensor(y)
        if y.dim() != 1 or y.shape[0] != x.shape[0] or y.is_floating_point():
            raise RecorderError(f"Dataset: y must be integer labels of shape [{x.shape[0]}], got {tuple(y.shape)} {y.dtype}")
        self.x = x.detach()
        self.y = y.detach().to(torch.int64)
        self.num_classes = int(num_classes if num_classes is not None else int(self.y.max()) + 1)
        if int(self.y.min()) < 0 or int(self.y.max()) >= self.num_classes:
            raise RecorderError(f"Dataset: labels must lie in 0..{self.num_classes - 1}")
        self.groups = {k: torch.as_tensor(v).to(torch.int64) for k, v in (groups or {}).items()}
        for k, v in self.groups.items():
            if v.shape != self.y.shape or int(v.min()) < 0:
                raise RecorderError(f"Dataset: group column {k!r} must hold {x.shape[0]} non-negative integer codes")
        self.group_names = group_names or {}
        self.class_names = class_names
        self.name = name
        self.source = source


def write_dataset(path, ds, name):
    """stagecredit's data-set file: x (F64 [n, ...]), y (I32 [n]), groups.<column> (I32 [n]) and the
    JSON metadata key "stagecredit.dataset" = {name, featureShape, numClasses, classNames?,
    groupNames?, source}."""
    tensors = {"x": ds.x.to(torch.float64), "y": ds.y.to(torch.int32)}
    for k, v in ds.groups.items():
        tensors[f"groups.{k}"] = v.to(torch.int32)
    meta = {"name": ds.name or name, "featureShape": list(ds.x.shape[1:]), "numClasses": ds.num_classes, "source": ds.source}
    if ds.class_names is not None:
        meta["classNames"] = list(ds.class_names)
    if ds.group_names:
        meta["groupNames"] = {k: list(v) for k, v in ds.group_names.items()}
    write_safetensors(path, tensors, {"stagecredit.dataset": json.dumps(meta)})


# ---------------------------------------------------------------------------------------------
# the architecture as ONNX

def export_onnx(model, example_input, path, opset_version=13):
    """torch.onnx.export with what stagecredit needs: every parameter kept as an initializer under
    its state_dict name (no constant folding), a dynamic batch axis, the graph traced in eval mode.

    In eval mode torch 1.13 merges initializers that hold equal values (two fresh LayerNorms'
    weights, say), which would lose parameter names; that pass is switched off for the export."""
    was_training = model.training
    name = "_jit_pass_onnx_deduplicate_initializers"
    dedup = getattr(torch._C, name, None)
    if dedup is not None:
        setattr(torch._C, name, lambda graph, params, is_train: params)
    try:
        torch.onnx.export(
            model, (example_input,), path, input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            do_constant_folding=False, opset_version=opset_version, training=torch.onnx.TrainingMode.EVAL,
        )
    finally:
        if dedup is not None:
            setattr(torch._C, name, dedup)
        model.train(was_training)


# ---------------------------------------------------------------------------------------------
# optimizers

def _one_group(opt):
    groups = opt.param_groups
    keys = [k for k in groups[0] if k not in ("params", "lr", "initial_lr")]
    for g in groups[1:]:
        for k in keys + ["lr"]:
            if g.get(k) != groups[0].get(k):
                raise RecorderError(f"{type(opt).__name__}: parameter groups with different {k!r} are not supported (one stage has one optimizer setting)")
    return groups[0]


def optimizer_spec(opt):
    """The stagecredit optimizer spec of a torch optimizer, read from its parameter group."""
    g = _one_group(opt)
    cls = type(opt)
    if g.get("maximize", False):
        raise RecorderError(f"{cls.__name__}(maximize=True) is not supported")
    if cls is torch.optim.SGD:
        return {"kind": "sgd", "lr": float(g["lr"]), "momentum": float(g["momentum"]), "dampening": float(g["dampening"]),
                "nesterov": bool(g["nesterov"]), "weightDecay": float(g["weight_decay"])}
    if cls in (torch.optim.Adam, torch.optim.AdamW):
        if g.get("amsgrad", False):
            raise RecorderError(f"{cls.__name__}(amsgrad=True) is not supported")
        if g.get("capturable", False) or g.get("differentiable", False):
            raise RecorderError(f"{cls.__name__}: capturable/differentiable modes are not supported")
        return {"kind": "adam" if cls is torch.optim.Adam else "adamw", "lr": float(g["lr"]),
                "betas": [float(g["betas"][0]), float(g["betas"][1])], "eps": float(g["eps"]), "weightDecay": float(g["weight_decay"])}
    raise RecorderError(f"optimizer {cls.__module__}.{cls.__name__} is not supported; stagecredit replays torch.optim.SGD "
                        "(momentum, dampening, nesterov, weight_decay), torch.optim.Adam and torch.optim.AdamW exactly")


def _same_hyper(a, b):
    return {k: v for k, v in a.items() if k != "lr"} == {k: v for k, v in b.items() if k != "lr"}


# ---------------------------------------------------------------------------------------------
# the recorder

class Recorder:
    """Records a multi-stage torch training run into a stagecredit run directory.

    model: the torch module being trained (float64 for exact replay).
    example_input: a small batch of inputs, used to export the architecture to ONNX.
    datasets: {name: Dataset}; stages name the one they train on.
    evaluation: optional data set name used for the per-stage evaluation and default behaviours.
    checkpoint_every: also checkpoint every N global steps (0: only at stage boundaries).
    augmentation: True when the inputs fed to the model are not the data set's rows (random crops,
        noise...); the run is then recorded as "estimates only".
    """

    def __init__(self, out_dir, model, example_input, datasets, evaluation=None, group_column=None, name=None,
                 checkpoint_every=0, augmentation=False, opset_version=13):
        if os.path.exists(os.path.join(out_dir, "run.json")):
            raise RecorderError(f"{out_dir} already holds a run; choose another directory or delete it")
        if not datasets:
            raise RecorderError("datasets: give at least one Dataset (the stages' training data)")
        if evaluation is not None and evaluation not in datasets:
            raise RecorderError(f"evaluation: unknown data set {evaluation!r} (known: {', '.join(datasets)})")
        self.dir = out_dir
        self.model = model
        self.datasets = datasets
        self.evaluation = evaluation
        self.group_column = group_column
        self.name = name or os.path.basename(os.path.abspath(out_dir))
        self.checkpoint_every = int(checkpoint_every)
        self.reasons = []
        if augmentation:
            self._estimates_only("the training inputs are augmented (augmentation=True), so the recorded data set is not what the model saw")
        self.names = [n for n, _ in model.named_parameters()]
        self.by_id = {id(p): n for n, p in model.named_parameters()}
        dtypes = {p.dtype for p in model.parameters()}
        if dtypes != {torch.float64}:
            self._estimates_only(f"the model's parameters are {', '.join(sorted(str(d) for d in dtypes))}, not float64 "
                                 "(call model.double() for replays that match torch to rounding)")
        for mname, m in model.named_modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                raise RecorderError(f"module {mname!r} is a {type(m).__name__}: batch statistics are not a function of the "
                                    "parameters alone, so stagecredit cannot replay it (use LayerNorm/GroupNorm-free models or no normalisation)")
        os.makedirs(os.path.join(out_dir, "checkpoints"), exist_ok=True)
        self.model_config = {"kind": "onnx", "file": "model.onnx", "parameters": self.names}
        export_onnx(model, example_input.to(next(model.parameters()).dtype), os.path.join(out_dir, "model.onnx"), opset_version)
        self.data_files = {}
        for dname, ds in datasets.items():
            if not all(c.isalnum() or c in "_.-" for c in dname):
                raise RecorderError(f"data set name {dname!r}: letters, digits, _ . - only")
            rel = f"data/{dname}.safetensors"
            write_dataset(os.path.join(out_dir, rel), ds, dname)
            self.data_files[dname] = rel
        self._params0 = self._params()
        write_safetensors(os.path.join(out_dir, "init.safetensors"), self._params0, self._model_meta())
        self._write_checkpoint("checkpoints/boundary-0.safetensors", 0, 0, 0, None)
        self.stages = []
        self.step_count = 0
        self.opt_steps = {}   # id(optimizer) -> steps taken since its state was last empty
        self.train_seconds = 0.0
        self._active = None

    # -- bookkeeping ---------------------------------------------------------------------------

    def _estimates_only(self, reason):
        if reason not in self.reasons:
            self.reasons.append(reason)
            warnings.warn(f"stagecredit recorder: {reason}; this run will be marked \"estimates only\" "
                          "(stagecredit's replays cannot reproduce it bit-for-bit)", stacklevel=3)

    def _params(self):
        return {n: p.detach().clone() for n, p in self.model.named_parameters()}

    def _model_meta(self):
        return {"stagecredit.model": json.dumps(self.model_config)}

    def _write_checkpoint(self, rel, step, stages_done, stage_step, opt_state):
        """opt_state: None, or (stagecredit step count, trainable names, {slot: [tensor per name]})."""
        tensors = dict(self._params())
        meta = {"step": step, "stagesDone": stages_done, "stageStep": stage_step, "slotParams": [], "optimizerStep": None, "slots": []}
        if opt_state is not None:
            opt_step, slot_params, slots = opt_state
            meta.update({"slotParams": slot_params, "optimizerStep": opt_step, "slots": sorted(slots)})
            for slot, ts in slots.items():
                for pname, t in zip(slot_params, ts):
                    tensors[f"optimizer.{slot}.{pname}"] = t.detach().clone().to(torch.float64)
        write_safetensors(os.path.join(self.dir, rel), tensors, {"stagecredit.checkpoint": json.dumps(meta), **self._model_meta()})

    # -- stages --------------------------------------------------------------------------------

    def stage(self, name, optimizer, data, description=None):
        """Opens a stage: use as a context manager; the stage ends (and its boundary checkpoint is
        written) when the block exits."""
        if self._active is not None:
            raise RecorderError(f"stage {name!r} opened while stage {self._active.name!r} is still open")
        if data not in self.datasets:
            raise RecorderError(f"stage {name!r}: unknown data set {data!r} (known: {', '.join(self.datasets)})")
        if any(s["name"] == name for s in self.stages):
            raise RecorderError(f"stage {name!r} is recorded twice; stage names must be unique")
        self._active = StageRecorder(self, name, optimizer, data, description)
        return self._active

    def _evaluate(self):
        if self.evaluation is None:
            return None, None
        ds = self.datasets[self.evaluation]
        was = self.model.training
        self.model.eval()
        with torch.no_grad():
            logits = self.model(ds.x.to(next(self.model.parameters()).dtype))
            loss = torch.nn.functional.cross_entropy(logits, ds.y).item()
            acc = (logits.argmax(1) == ds.y).double().mean().item()
        self.model.train(was)
        return loss, acc

    def finish(self):
        """Writes the manifest, the trace, the final weights and run.json. Call once, after the last stage."""
        if self._active is not None:
            raise RecorderError(f"finish() called while stage {self._active.name!r} is still open")
        if not self.stages:
            raise RecorderError("finish(): no stage was recorded")
        manifest = {
            "version": 1, "name": self.name, "dtype": "float64", "model": self.model_config, "loss": "crossEntropy",
            "init": {"file": "init.safetensors"},
            "datasets": {n: {"file": f} for n, f in self.data_files.items()},
            "stages": [s["manifest"] for s in self.stages],
            "checkpointEvery": self.checkpoint_every,
        }
        manifest["description"] = "recorded from PyTorch by python/stagecredit_recorder.py"
        if self.evaluation is not None:
            ev = {"data": self.evaluation}
            if self.group_column is not None:
                ev["groupColumn"] = self.group_column
            manifest["evaluation"] = ev
        _atomic_write(os.path.join(self.dir, "manifest.json"), json.dumps(manifest, indent=2).encode())
        trace = {}
        for k, s in enumerate(self.stages):
            offsets = [0]
            flat = []
            for b in s["batches"]:
                flat.extend(b)
                offsets.append(len(flat))
            trace[f"stage{k}.offsets"] = torch.tensor(offsets, dtype=torch.int32)
            trace[f"stage{k}.indices"] = torch.tensor(flat, dtype=torch.int32)
            trace[f"stage{k}.lrs"] = torch.tensor(s["lrs"], dtype=torch.float64)
        write_safetensors(os.path.join(self.dir, "trace.safetensors"), trace, {"stagecredit.stages": json.dumps([s["name"] for s in self.stages])})
        write_safetensors(os.path.join(self.dir, "final.safetensors"), self._params(), {**self._model_meta(), "stagecredit.run": self.name})
        boundaries = [0] + [s["summary"]["endStep"] for s in self.stages]
        status = {
            "format": "stagecredit-run", "version": FORMAT_VERSION, "name": self.name, "status": "complete",
            "boundaries": boundaries, "stages": [s["summary"] for s in self.stages],
            "latestCheckpoint": f"checkpoints/boundary-{len(self.stages)}.safetensors",
            "totalSteps": self.step_count, "stepsDone": self.step_count, "trainSeconds": self.train_seconds,
            "updatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "recordedBy": {
                "tool": "python/stagecredit_recorder.py", "torch": torch.__version__,
                "replay": "estimates only" if self.reasons else "exact", "reasons": list(self.reasons),
            },
        }
        _atomic_write(os.path.join(self.dir, "run.json"), json.dumps(status, indent=2).encode())
        return self.dir


class StageRecorder:
    """One stage being recorded; made by Recorder.stage()."""

    def __init__(self, rec, name, optimizer, data, description):
        self.rec = rec
        self.name = name
        self.opt = optimizer
        self.data = data
        self.description = description
        self.spec = optimizer_spec(optimizer)
        trainable_ids = [id(p) for g in optimizer.param_groups for p in g["params"]]
        unknown = [i for i in trainable_ids if i not in rec.by_id]
        if unknown:
            raise RecorderError(f"stage {name!r}: the optimizer holds {len(unknown)} tensor(s) that are not parameters of the model")
        ids = set(trainable_ids)
        # Slot order follows the model's parameter order, as stagecredit's checkpoints do.
        self.trainable = [n for n, p in rec.model.named_parameters() if id(p) in ids]
        self.params_by_name = dict(rec.model.named_parameters())
        carried = any(len(s) > 0 for s in optimizer.state.values())
        self.state_mode = "carry" if carried else "reset"
        if carried:
            prev = rec.stages[-1] if rec.stages else None
            if prev is None:
                raise RecorderError(f"stage {name!r}: the optimizer already has state, but there is no earlier recorded stage to carry it from")
            if prev["trainable"] != self.trainable:
                raise RecorderError(f"stage {name!r}: carried optimizer state needs the same trainable parameters as stage {prev['name']!r}")
            if prev["manifest"]["optimizer"]["kind"] != self.spec["kind"]:
                raise RecorderError(f"stage {name!r}: carries {prev['manifest']['optimizer']['kind']} state into {self.spec['kind']}")
            # A new optimizer object that loaded the previous state_dict continues its step count.
            rec.opt_steps.setdefault(id(optimizer), prev["opt_step_end"])
        else:
            rec.opt_steps[id(optimizer)] = 0
        self.recorded = []
        self.lrs = []
        self.losses = []
        self.clip = None
        self._clipped_this_step = False
        self._current = None
        self._t0 = None

    # -- the loop ------------------------------------------------------------------------------

    def batches(self, batch_size, steps=None, epochs=None, seed=0, drop_last=False):
        """Shuffled batches of the stage's data (as DataLoader(shuffle=True) would draw them):
        yields index tensors; st.step() records the last one yielded."""
        n = self.rec.datasets[self.data].x.shape[0]
        if (steps is None) == (epochs is None):
            raise RecorderError("batches(): give exactly one of steps= or epochs=")
        g = torch.Generator().manual_seed(seed)
        produced = 0
        epoch = 0
        while True:
            perm = torch.randperm(n, generator=g)
            for s in range(0, n, batch_size):
                idx = perm[s:s + batch_size]
                if drop_last and len(idx) < batch_size:
                    break
                self._current = idx
                yield idx
                produced += 1
                if steps is not None and produced >= steps:
                    return
            epoch += 1
            if epochs is not None and epoch >= epochs:
                return

    def wrap(self, batch_sampler):
        """Wraps a batch sampler (e.g. torch.utils.data.BatchSampler) for DataLoader(batch_sampler=...):
        each batch of indices it yields becomes the one st.step() records. Use num_workers=0, or pass
        indices to st.step() explicitly, since worker prefetching draws batches ahead of the loop."""
        for idx in batch_sampler:
            self._current = torch.as_tensor(list(idx) if not torch.is_tensor(idx) else idx)
            yield idx

    def clip_grad_norm_(self, max_norm, norm_type=2.0):
        """torch.nn.utils.clip_grad_norm_ on the stage's trainable parameters, recorded. Call it at
        every step of the stage with the same max_norm (stagecredit clips every step of a stage)."""
        if float(norm_type) != 2.0:
            raise RecorderError(f"stage {self.name!r}: clip_grad_norm_ with norm_type={norm_type} is not supported (only 2)")
        max_norm = float(max_norm)
        if self.clip is None and self.recorded:
            raise RecorderError(f"stage {self.name!r}: clipping starts at step {len(self.recorded)}; a stage clips at every step or never")
        if self.clip is not None and self.clip != max_norm:
            raise RecorderError(f"stage {self.name!r}: max_norm changed from {self.clip} to {max_norm} within the stage")
        self.clip = max_norm
        self._clipped_this_step = True
        return torch.nn.utils.clip_grad_norm_([self.params_by_name[n] for n in self.trainable], max_norm, norm_type=2.0)

    def step(self, indices=None, loss=None, inputs=None):
        """Records this step (its batch indices, the learning rate the optimizer is about to use),
        then calls optimizer.step(). indices: the batch's indices into the stage's data set (default:
        the last batch from st.batches() or st.wrap()). inputs: optionally the batch tensor given to
        the model, checked against the data set's rows (a difference means augmentation)."""
        if self._t0 is None:
            self._t0 = time.perf_counter()
        idx = indices if indices is not None else self._current
        if idx is None:
            raise RecorderError(f"stage {self.name!r}: step() needs the batch indices (pass indices=, or draw batches from st.batches()/st.wrap())")
        idx = torch.as_tensor(idx).reshape(-1).to(torch.int64)
        n = self.rec.datasets[self.data].x.shape[0]
        if len(idx) == 0 or int(idx.min()) < 0 or int(idx.max()) >= n:
            raise RecorderError(f"stage {self.name!r}: batch indices must be non-empty and in 0..{n - 1}")
        if self.clip is not None and not self._clipped_this_step:
            raise RecorderError(f"stage {self.name!r}: step {len(self.recorded)} was not clipped; call st.clip_grad_norm_() at every step of a clipped stage")
        spec = optimizer_spec(self.opt)
        if not _same_hyper(spec, self.spec):
            raise RecorderError(f"stage {self.name!r}: optimizer hyperparameters changed within the stage ({self.spec} -> {spec}); only the learning rate may change from step to step")
        if inputs is not None:
            rows = self.rec.datasets[self.data].x[idx].to(inputs.dtype)
            if inputs.shape != rows.shape or not torch.equal(inputs.detach().cpu(), rows):
                self.rec._estimates_only(f"stage {self.name!r}: the inputs given at step {len(self.recorded)} differ from the data set's rows (augmentation?)")
        for mname, m in self.rec.model.named_modules():
            if isinstance(m, nn.modules.dropout._DropoutNd) and m.training and m.p > 0:
                self.rec._estimates_only(f"module {mname!r} applies dropout (p={m.p}) during training")
        self.recorded.append([int(i) for i in idx])
        self.lrs.append(float(spec["lr"]))
        if loss is not None:
            self.losses.append(float(loss.detach()) if torch.is_tensor(loss) else float(loss))
        self.opt.step()
        self.rec.opt_steps[id(self.opt)] = self.rec.opt_steps.get(id(self.opt), 0) + 1
        self.rec.step_count += 1
        self._clipped_this_step = False
        every = self.rec.checkpoint_every
        if every > 0 and self.rec.step_count % every == 0:
            self._checkpoint_inside()

    # -- optimizer state -----------------------------------------------------------------------

    def _opt_state(self):
        slots = {}
        kind = self.spec["kind"]
        params = [self.params_by_name[n] for n in self.trainable]
        states = [self.opt.state.get(p, {}) for p in params]
        if kind == "sgd":
            bufs = [s.get("momentum_buffer") for s in states]
            if all(b is not None for b in bufs) and bufs:
                slots["momentum"] = bufs
            step = self.rec.opt_steps.get(id(self.opt), 0)
        else:
            if all("exp_avg" in s for s in states) and states:
                slots["expAvg"] = [s["exp_avg"] for s in states]
                slots["expAvgSq"] = [s["exp_avg_sq"] for s in states]
            steps = {int(float(s["step"])) for s in states if "step" in s}
            if len(steps) > 1:
                raise RecorderError(f"stage {self.name!r}: the Adam step counts differ between parameters ({sorted(steps)})")
            step = steps.pop() if steps else 0
        return step, list(self.trainable), slots

    def _checkpoint_inside(self):
        rec = self.rec
        stage_step = len(self.recorded)
        rel = f"checkpoints/step-{rec.step_count:08d}.safetensors"
        rec._write_checkpoint(rel, rec.step_count, len(rec.stages), stage_step, self._opt_state())

    # -- context manager -----------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        rec = self.rec
        rec._active = None
        if exc_type is not None:
            return False
        if not self.recorded:
            raise RecorderError(f"stage {self.name!r} took no step")
        k = len(rec.stages)
        end = rec.step_count
        start = end - len(self.recorded)
        seconds = time.perf_counter() - self._t0
        rec.train_seconds += seconds
        opt_state = self._opt_state()
        rec._write_checkpoint(f"checkpoints/boundary-{k + 1}.safetensors", end, k + 1, 0, opt_state)
        batch_file = f"batches/{self.name}.json"
        _atomic_write(os.path.join(rec.dir, batch_file), json.dumps(self.recorded).encode())
        m = {
            "name": self.name, "data": self.data, "steps": len(self.recorded),
            "batchSize": max(len(b) for b in self.recorded), "batchOrder": {"file": batch_file},
            "optimizer": self.spec, "schedule": {"kind": "explicit", "lrs": self.lrs},
            "optimizerState": self.state_mode,
        }
        if self.description:
            m["description"] = self.description
        if len(self.trainable) != len(rec.names):
            m["trainable"] = list(self.trainable)
        if self.clip is not None:
            m["clipGradNorm"] = self.clip
        tail = self.losses[-max(1, math.ceil(len(self.losses) / 10)):] if self.losses else []
        ev_loss, ev_acc = rec._evaluate()
        summary = {
            "name": self.name, "startStep": start, "endStep": end,
            "trainLoss": sum(tail) / len(tail) if tail else None,
            "evalLoss": ev_loss, "evalAccuracy": ev_acc, "seconds": seconds,
        }
        rec.stages.append({"name": self.name, "manifest": m, "batches": self.recorded, "lrs": self.lrs,
                           "trainable": list(self.trainable), "summary": summary, "opt_step_end": opt_state[0]})
        return False
