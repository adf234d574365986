"""Writes the weight files the readers in packages/onnx/src/weights are tested on, with real torch and safetensors.

Run from anywhere with a Python that has torch, safetensors and numpy:
    python3 -m venv /work/venv-weights && /work/venv-weights/bin/pip install torch safetensors numpy
    /work/venv-weights/bin/python packages/onnx/src/weights/__fixtures__/make_weight_files.py

One tiny state dict (a few KB) is saved in every format fillmask reads, each in its own folder under the
Hub's file names, and expected.json lists what each folder must read back as: every tensor's name (after the
LayerNorm.gamma/beta renames transformers applies), dtype, shape and values, in file order. pickles/ holds
plain-data pickles of protocols 2 to 5 and hostile ones (os.system, eval) for the restricted unpickler.
"""

import collections
import json
import os
import pathlib
import pickle
import shutil

import torch
from safetensors.torch import save_file

HERE = pathlib.Path(__file__).resolve().parent
DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def fixed_name(name):
    """transformers' _fix_key (4.x): every 'beta' becomes 'bias', else every 'gamma' becomes 'weight'."""
    if "beta" in name:
        return name.replace("beta", "bias")
    if "gamma" in name:
        return name.replace("gamma", "weight")
    return name


def state_dict():
    """Names in the order a checkpoint writes them. Values small and exactly representable in their dtype."""
    sd = collections.OrderedDict()
    words = (torch.arange(24, dtype=torch.float32) * 0.25 - 3).reshape(6, 4)
    dense = (torch.arange(12, dtype=torch.float32) * -0.5 + 1).reshape(3, 4)
    sd["embeddings.word_embeddings.weight"] = words
    sd["embeddings.LayerNorm.gamma"] = torch.tensor([1.0, 0.5, 2.0, -1.0])
    sd["embeddings.LayerNorm.beta"] = torch.tensor([0.0, 0.125, -0.25, 3.0])
    sd["embeddings.position_ids"] = torch.arange(5, dtype=torch.int64).reshape(1, 5)
    sd["encoder.dense.weight"] = dense
    # A transposed view of the same storage: non-contiguous (strides (1, 4)).
    sd["encoder.dense_transposed.weight"] = dense.t()
    # A row of the same storage: contiguous, storage_offset 4.
    sd["encoder.dense_row.weight"] = dense[1]
    # Every other column of the last two rows: non-contiguous with a storage offset (4) and strides (4, 2).
    sd["encoder.dense_strided.weight"] = dense[1:, ::2]
    sd["encoder.half.weight"] = torch.tensor([[1.5, -2.0, 0.0], [65504.0, 0.000061035156, -0.333251953125]], dtype=torch.float16)
    sd["encoder.bf16.weight"] = torch.tensor([[1.0, -2.5], [3.140625, 1e30], [-0.0078125, 256.0]], dtype=torch.bfloat16)
    sd["encoder.layer_scale.gamma"] = torch.tensor([0.75, -0.75])
    sd["pooler.beta"] = torch.tensor([2.0])
    sd["extra.f64"] = torch.tensor([1.0 / 3.0, -1e-300], dtype=torch.float64)
    sd["extra.i32"] = torch.tensor([-7, 2147483647], dtype=torch.int32)
    sd["extra.i16"] = torch.tensor([-32768, 12], dtype=torch.int16)
    sd["extra.i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["extra.u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["extra.bool"] = torch.tensor([True, False, True])
    sd["extra.empty"] = torch.zeros(0, 3)
    # Tied weights: the decoder is the word embedding matrix itself (one storage, two names).
    sd["lm_head.decoder.weight"] = words
    # What nn.Module.state_dict() attaches; pickled with BUILD, as real checkpoints are.
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("embeddings", {"version": 1})])
    return sd


def describe(name, tensor):
    return {
        "name": fixed_name(name),
        "dtype": DTYPE_NAMES[tensor.dtype],
        "shape": list(tensor.shape),
        "values": [float(v) for v in tensor.to(torch.float64).flatten().tolist()],
    }


def contiguous_copies(sd):
    """safetensors stores neither views nor shared storages: one contiguous copy per name."""
    return collections.OrderedDict((name, tensor.contiguous().clone()) for name, tensor in sd.items())


def safetensors_order(path):
    """The names in the order the file's header lists them (how the reader reports them)."""
    data = path.read_bytes()
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_length])
    return [name for name in header if name != "__metadata__"]


def fresh(folder):
    path = HERE / folder
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    return path


def shards_of(sd):
    """Two shards; the tied pair stays in the first, the second starts at the half/bf16 tensors."""
    names = list(sd)
    second = {"encoder.half.weight", "encoder.bf16.weight", "encoder.layer_scale.gamma", "pooler.beta"} | {n for n in names if n.startswith("extra.")}
    first = collections.OrderedDict((n, sd[n]) for n in names if n not in second)
    rest = collections.OrderedDict((n, sd[n]) for n in names if n in second)
    first._metadata = sd._metadata
    rest._metadata = sd._metadata
    return [first, rest]


def write_index(path, shard_files, shards):
    weight_map = {}
    total = 0
    for file, shard in zip(shard_files, shards):
        for name, tensor in shard.items():
            weight_map[name] = file
            total += tensor.numel() * tensor.element_size()
    path.write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")


class RunsShellCommand:
    """What a hostile checkpoint pickles: unpickling it with pickle.load would run a shell command."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/fillmask-unpickler-ran-code",))


class RunsEval:
    def __reduce__(self):
        return (eval, ("__import__('os').getcwd()",))


def plain_values(protocol):
    """Plain data of every kind the unpickler reads; the same list object twice, to exercise the memo.
    Protocol 2 pickles bytes, and protocols 2 and 3 pickle sets, by calling globals: those are left out there."""
    shared = [1, [2, 3]]
    many = [f"s{i}" for i in range(300)]
    values = {
        "int1": 7, "int2": 300, "int4": 70000, "negative": -5, "big": 2**70, "negative_big": -(2**40),
        "float": 1.5, "text": "h\u00e9llo \u2713", "bytes": b"\x00\x01\xff", "none": None, "true": True, "false": False,
        "list": shared, "same_list": shared, "tuple": (1, "a", None), "empty_tuple": (), "pair": (1, 2), "single": (3,),
        "set": {1, 2}, "frozenset": frozenset({3}), "nested": {"a": {"b": [()]}},
        # 300 memoized strings push the memo past 255: LONG_BINPUT, and LONG_BINGET for the last one again.
        "many": many, "last_again": many[-1],
    }
    if protocol < 3:
        del values["bytes"]
    if protocol < 4:
        del values["set"], values["frozenset"]
    return values


def write_pickles():
    folder = fresh("pickles")
    for protocol in (2, 3, 4, 5):
        (folder / f"plain-values-protocol-{protocol}.pkl").write_bytes(pickle.dumps(plain_values(protocol), protocol=protocol))
    for protocol in (2, 4):
        (folder / f"os-system-protocol-{protocol}.pkl").write_bytes(pickle.dumps({"weight": RunsShellCommand()}, protocol=protocol))
    (folder / "builtins-eval-protocol-4.pkl").write_bytes(pickle.dumps(RunsEval(), protocol=4))


def main():
    torch.manual_seed(0)
    sd = state_dict()
    tensors = {name: describe(name, tensor) for name, tensor in sd.items()}
    pickle_order = [fixed_name(name) for name in sd]
    folders = {}

    folder = fresh("safetensors")
    save_file(contiguous_copies(sd), folder / "model.safetensors", metadata={"format": "pt"})
    folders["safetensors"] = {"file": "model.safetensors", "order": [fixed_name(n) for n in safetensors_order(folder / "model.safetensors")]}

    folder = fresh("sharded-safetensors")
    shards = [contiguous_copies(shard) for shard in shards_of(sd)]
    files = [f"model-0000{i + 1}-of-00002.safetensors" for i in range(len(shards))]
    for file, shard in zip(files, shards):
        save_file(shard, folder / file, metadata={"format": "pt"})
    write_index(folder / "model.safetensors.index.json", files, shards)
    folders["sharded-safetensors"] = {
        "file": "model.safetensors.index.json",
        "order": [fixed_name(n) for file in files for n in safetensors_order(folder / file)],
    }

    folder = fresh("torch-zip")
    torch.save(sd, folder / "pytorch_model.bin")
    folders["torch-zip"] = {"file": "pytorch_model.bin", "order": pickle_order}

    # Protocol 4 pickles use FRAME, MEMOIZE, SHORT_BINUNICODE and STACK_GLOBAL instead of protocol 2's opcodes.
    folder = fresh("torch-zip-protocol-4")
    torch.save(sd, folder / "pytorch_model.bin", pickle_protocol=4)
    folders["torch-zip-protocol-4"] = {"file": "pytorch_model.bin", "order": pickle_order}

    folder = fresh("torch-legacy")
    torch.save(sd, folder / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    folders["torch-legacy"] = {"file": "pytorch_model.bin", "order": pickle_order}

    folder = fresh("sharded-bin")
    shards = shards_of(sd)
    files = [f"pytorch_model-0000{i + 1}-of-00002.bin" for i in range(len(shards))]
    # One zip shard and one legacy shard: an index may mix them (shards saved by different torch versions).
    torch.save(shards[0], folder / files[0])
    torch.save(shards[1], folder / files[1], _use_new_zipfile_serialization=False)
    write_index(folder / "pytorch_model.bin.index.json", files, shards)
    folders["sharded-bin"] = {"file": "pytorch_model.bin.index.json", "order": [fixed_name(n) for shard in shards for n in shard]}

    write_pickles()

    expected = {
        "torch": torch.__version__,
        "tensors": [tensors[name] for name in sd],
        "folders": folders,
    }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix != ".py":
            print(f"{path.relative_to(HERE)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
