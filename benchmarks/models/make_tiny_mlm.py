#!/usr/bin/env python3
"""make_tiny_mlm.py - build a seeded, random-weight masked-LM in the layout transformers.js
expects for a local model folder:

    <out>/config.json
    <out>/tokenizer.json, tokenizer_config.json, special_tokens_map.json   (copied)
    <out>/onnx/model.onnx             fp32, opset 14, dynamic batch/sequence axes
    <out>/onnx/model_quantized.onnx   int8 (dynamic quantisation, optional: --quantize)

and/or (--weights-out) the same weights as a weights-only repository, the layout of a Hub model
that publishes no ONNX export:

    <weights-out>/config.json, tokenizer files   (as above)
    <weights-out>/model.safetensors          fp32, transformers' parameter names for
                                             BertForMaskedLM / RobertaForMaskedLM / AlbertForMaskedLM
                                             (the tied decoder weight is not stored, as
                                             save_pretrained leaves it out)

The safetensors file is written here (8-byte little-endian header length, JSON header, raw
little-endian data), so the `safetensors` package is not needed. The weights are drawn before any
export, so a run with --weights-out and no --out gives the same weights as the export of the same
seed; benchmarks/models/check_weights_repo.py checks them with transformers.

The network is a small plain-PyTorch re-implementation of the Hugging Face architecture
(no `transformers` dependency):

  bert    : BertForMaskedLM    word+position+token_type embeddings -> LayerNorm -> N x
            [self-attention -> dense -> +res -> LayerNorm -> dense -> GELU(erf) -> dense ->
            +res -> LayerNorm] -> MLM head (dense -> GELU -> LayerNorm -> decoder tied to
            the word embeddings + bias).  ONNX inputs: input_ids, attention_mask, token_type_ids
  roberta : RobertaForMaskedLM same encoder; position ids are computed from input_ids like HF
            (cumsum of non-pad tokens, offset by padding_idx, so they start at pad_id+1);
            token_type_ids fixed to 0 inside the graph.  ONNX inputs: input_ids, attention_mask
  albert  : AlbertForMaskedLM  factorised embeddings (embedding_size -> hidden mapping), one
            shared layer applied num_hidden_layers times, gelu_new (tanh) activation, MLM head
            hidden -> embedding_size -> tied decoder.  ONNX inputs as bert.

Output name: `logits`, shape [batch_size, sequence_length, vocab_size].

Initialisation (deterministic for a given --seed):
  --init fixture (default): Linear weights ~ N(0, 1/fan_in), biases and LayerNorm beta
      ~ N(0, 0.02^2), LayerNorm gamma ~ N(1, 0.02^2),
      all embedding tables ~ N(0, (logit_std / sqrt(d))^2) with d the width of the tied
      embedding (padding row zeroed as in HF).  This makes the MLM logits spread with
      std ~= --logit-std and makes the prediction depend on the context, so top-k lists
      are clearly separated and differ between sentences.
  --init hf: HF `_init_weights` (every Linear/Embedding ~ N(0, 0.02)); logits are then almost
      uniform (std ~0.1), which is realistic for an untrained model but useless for tests.

Examples (from the repository's root; make-bench-models.sh runs the last two)
  /usr/bin/python3 benchmarks/models/make_tiny_mlm.py --arch bert    --tokenizer internal/fixtures/models/tiny-bert-uncased --out /tmp/tiny-bert-uncased --quantize
  /usr/bin/python3 benchmarks/models/make_tiny_mlm.py --arch roberta --tokenizer internal/fixtures/models/tiny-roberta --preset distilroberta-base --out bench-models/bench-distilroberta --quantize
  /usr/bin/python3 benchmarks/models/make_tiny_mlm.py --arch bert    --tokenizer internal/fixtures/models/tiny-bert-uncased --preset bert-base --out bench-models/bench-bert-base --quantize
  /usr/bin/python3 benchmarks/models/make_tiny_mlm.py --arch roberta --tokenizer internal/fixtures/models/tiny-roberta --preset distilroberta-base --weights-out bench-models/bench-distilroberta-weights

Requires Debian's python3-torch (1.13), python3-onnx, python3-numpy. Run with /usr/bin/python3.
"""
import argparse
import collections
import hashlib
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

GENERATOR = "make_tiny_mlm.py/1"

SIZE_PRESETS = {
    # the fixture size asked for: hidden 32, 2 layers, 2 heads, intermediate 64
    "tiny": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, embedding_size=16),
    # benchmark shapes
    "distilroberta-base": dict(hidden_size=768, num_hidden_layers=6, num_attention_heads=12, intermediate_size=3072, embedding_size=128),
    "bert-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072, embedding_size=128),
}

ARCHS = {
    "bert": dict(model_type="bert", architectures=["BertForMaskedLM"], hidden_act="gelu", layer_norm_eps=1e-12,
                 type_vocab_size=2, max_position_embeddings=512,
                 onnx_inputs=["input_ids", "attention_mask", "token_type_ids"]),
    # HF roberta uses 514 positions: 512 tokens + padding_idx(1) + 1, since positions start at 2
    "roberta": dict(model_type="roberta", architectures=["RobertaForMaskedLM"], hidden_act="gelu", layer_norm_eps=1e-5,
                    type_vocab_size=1, max_position_embeddings=514,
                    onnx_inputs=["input_ids", "attention_mask"]),
    "albert": dict(model_type="albert", architectures=["AlbertForMaskedLM"], hidden_act="gelu_new", layer_norm_eps=1e-12,
                   type_vocab_size=2, max_position_embeddings=512,
                   onnx_inputs=["input_ids", "attention_mask", "token_type_ids"]),
}


# ----------------------------------------------------------------------------- tokenizer

def read_tokenizer(tok_dir):
    with open(os.path.join(tok_dir, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    with open(os.path.join(tok_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        tc = json.load(f)
    smap = {}
    p = os.path.join(tok_dir, "special_tokens_map.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            smap = json.load(f)
    vocab = tj["model"]["vocab"]
    ids = {}
    if isinstance(vocab, list):          # Unigram: [[piece, score], ...]
        for i, (piece, _score) in enumerate(vocab):
            ids.setdefault(piece, i)
    else:                                # WordPiece / BPE: {token: id}
        ids.update(vocab)
    for t in tj.get("added_tokens", []):
        ids[t["content"]] = t["id"]

    def tid(key):
        v = tc.get(key, smap.get(key))
        if isinstance(v, dict):
            v = v.get("content")
        return ids.get(v) if v is not None else None

    return dict(vocab_size=max(ids.values()) + 1,
                pad=tid("pad_token"), bos=tid("bos_token"), eos=tid("eos_token"),
                cls=tid("cls_token"), sep=tid("sep_token"), mask=tid("mask_token"), unk=tid("unk_token"),
                model_max_length=tc.get("model_max_length"))


# ----------------------------------------------------------------------------- model

class Cfg:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def gelu_new(x):
    # transformers.activations.NewGELUActivation
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def act_fn(name):
    return {"gelu": F.gelu, "gelu_new": gelu_new}[name]


class Embeddings(nn.Module):
    def __init__(self, c, dim):
        super().__init__()
        self.arch = c.arch
        self.padding_idx = c.pad_token_id
        self.word_embeddings = nn.Embedding(c.vocab_size, dim, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, dim,
                                                padding_idx=c.pad_token_id if c.arch == "roberta" else None)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=c.layer_norm_eps)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).unsqueeze(0), persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        seq_len = input_ids.size(1)
        if self.arch == "roberta":
            # transformers.models.roberta.modeling_roberta.create_position_ids_from_input_ids
            mask = input_ids.ne(self.padding_idx).int()
            position_ids = (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.padding_idx
        else:
            position_ids = self.position_ids[:, :seq_len]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        emb = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        emb = emb + self.position_embeddings(position_ids)
        return self.LayerNorm(emb)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c.hidden_size % c.num_attention_heads == 0
        self.num_heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)

    def _split(self, x):
        return x.view(x.size()[:-1] + (self.num_heads, self.head_dim)).permute(0, 2, 1, 3)

    def context(self, h, ext_mask):
        q, k, v = self._split(self.query(h)), self._split(self.key(h)), self._split(self.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = F.softmax(scores + ext_mask, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size()[:-2] + (self.num_heads * self.head_dim,))


class DenseLN(nn.Module):
    """BertSelfOutput / BertOutput: dense -> (+ residual) -> LayerNorm"""
    def __init__(self, d_in, d_out, eps):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseLN(c.hidden_size, c.hidden_size, c.layer_norm_eps)

    def forward(self, h, ext_mask):
        return self.output(self.self.context(h, ext_mask), h)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.act = act_fn(c.hidden_act)

    def forward(self, x):
        return self.act(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseLN(c.intermediate_size, c.hidden_size, c.layer_norm_eps)

    def forward(self, h, ext_mask):
        a = self.attention(h, ext_mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, h, ext_mask):
        for layer in self.layer:
            h = layer(h, ext_mask)
        return h


class AlbertAttention(SelfAttention):
    def __init__(self, c):
        super().__init__(c)
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, h, ext_mask):
        return self.LayerNorm(h + self.dense(self.context(h, ext_mask)))


class AlbertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.full_layer_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.attention = AlbertAttention(c)
        self.ffn = nn.Linear(c.hidden_size, c.intermediate_size)
        self.ffn_output = nn.Linear(c.intermediate_size, c.hidden_size)
        self.act = act_fn(c.hidden_act)

    def forward(self, h, ext_mask):
        a = self.attention(h, ext_mask)
        return self.full_layer_layer_norm(self.ffn_output(self.act(self.ffn(a))) + a)


class AlbertLayerGroup(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.albert_layers = nn.ModuleList([AlbertLayer(c)])  # inner_group_num = 1

    def forward(self, h, ext_mask):
        for layer in self.albert_layers:
            h = layer(h, ext_mask)
        return h


class AlbertTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_hidden_layers = c.num_hidden_layers
        self.embedding_hidden_mapping_in = nn.Linear(c.embedding_size, c.hidden_size)
        self.albert_layer_groups = nn.ModuleList([AlbertLayerGroup(c)])  # num_hidden_groups = 1

    def forward(self, emb, ext_mask):
        h = self.embedding_hidden_mapping_in(emb)
        for _ in range(self.num_hidden_layers):      # weights shared across layers
            h = self.albert_layer_groups[0](h, ext_mask)
        return h


class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c, c.embedding_size if c.arch == "albert" else c.hidden_size)
        self.encoder = AlbertTransformer(c) if c.arch == "albert" else Encoder(c)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        # BertModel.get_extended_attention_mask
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids, token_type_ids), ext)


class MLMHead(nn.Module):
    """BertLMPredictionHead / RobertaLMHead / AlbertMLMHead: dense -> act -> LayerNorm -> tied decoder + bias"""
    def __init__(self, c, d_out):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, d_out)
        self.act = act_fn(c.hidden_act)
        self.LayerNorm = nn.LayerNorm(d_out, eps=c.layer_norm_eps)
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))

    def forward(self, h, decoder_weight):
        t = self.LayerNorm(self.act(self.dense(h)))
        return F.linear(t, decoder_weight, self.bias)   # decoder weight tied to word embeddings


class MaskedLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.arch = c.arch
        self.backbone = Backbone(c)
        self.head = MLMHead(c, c.embedding_size if c.arch == "albert" else c.hidden_size)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        h = self.backbone(input_ids, attention_mask, token_type_ids)
        return self.head(h, self.backbone.embeddings.word_embeddings.weight)


class RobertaExport(nn.Module):
    """ONNX signature of HF roberta exports: (input_ids, attention_mask) -> logits"""
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask, None)


def hf_param_name(arch, name):
    """map our parameter names to the HF state-dict names (used for ONNX initializer names)"""
    prefix = {"bert": "bert.", "roberta": "roberta.", "albert": "albert."}[arch]
    if name.startswith("backbone."):
        return prefix + name[len("backbone."):]
    head = {"bert": "cls.predictions.", "roberta": "lm_head.", "albert": "predictions."}[arch]
    rest = name[len("head."):]
    if arch == "bert":
        rest = {"dense.weight": "transform.dense.weight", "dense.bias": "transform.dense.bias",
                "LayerNorm.weight": "transform.LayerNorm.weight", "LayerNorm.bias": "transform.LayerNorm.bias"}.get(rest, rest)
    if arch == "roberta":
        rest = {"LayerNorm.weight": "layer_norm.weight", "LayerNorm.bias": "layer_norm.bias"}.get(rest, rest)
    return head + rest


def init_weights(model, c, scheme, logit_std):
    d_tied = c.embedding_size if c.arch == "albert" else c.hidden_size
    emb_std = 0.02 if scheme == "hf" else logit_std / math.sqrt(d_tied)
    with torch.no_grad():
        hf = scheme == "hf"
        for mod in model.modules():
            if isinstance(mod, nn.Linear):
                mod.weight.normal_(0.0, 0.02 if hf else 1.0 / math.sqrt(mod.in_features))
                mod.bias.zero_() if hf else mod.bias.normal_(0.0, 0.02)
            elif isinstance(mod, nn.Embedding):
                mod.weight.normal_(0.0, emb_std)
                if mod.padding_idx is not None:
                    mod.weight[mod.padding_idx].zero_()
            elif isinstance(mod, nn.LayerNorm):
                mod.weight.fill_(1.0) if hf else mod.weight.normal_(1.0, 0.02)
                mod.bias.zero_() if hf else mod.bias.normal_(0.0, 0.02)
        model.head.bias.zero_() if hf else model.head.bias.normal_(0.0, 0.02)
    return emb_std


# ----------------------------------------------------------------------------- ONNX helpers

def dedupe_tied_decoder(model_proto, emb_name):
    """torch's constant folding materialises the transposed (tied) word-embedding matrix as a
    second initializer, doubling the file size.  Replace that copy by a Transpose node of the
    embedding initializer (onnxruntime folds / fuses it at load time)."""
    g = model_proto.graph
    inits = {i.name: i for i in g.initializer}
    E = numpy_helper.to_array(inits[emb_name])
    replaced = []
    for init in list(g.initializer):
        if init.name != emb_name and tuple(init.dims) == (E.shape[1], E.shape[0]):
            if np.array_equal(numpy_helper.to_array(init), E.T):
                g.initializer.remove(init)
                node = helper.make_node("Transpose", [emb_name], [init.name], perm=[1, 0],
                                        name="tied_decoder_weight_transpose")
                g.node.insert(0, node)
                replaced.append(init.name)
    return replaced


def quantize_int8(model_proto):
    """Dynamic int8 quantisation in the same operator pattern onnxruntime's quantize_dynamic
    emits (what Xenova/onnx-community `model_quantized.onnx` files contain):
      MatMul(x, W)  -> DynamicQuantizeLinear(x) ; MatMulInteger(xq, Wq, xzp, 0) ; Cast ; Mul(x_scale*W_scale)
      Gather(E, i)  -> Gather(Eq, i) ; DequantizeLinear
    Weights: int8, symmetric, per-tensor.  The tied decoder reuses the int8 embedding through a
    Transpose node, so the embedding is stored once."""
    g = model_proto.graph
    inits = {i.name: i for i in g.initializer}
    new_inits, qcache, xcache, tq = [], {}, {}, {}

    def qweight(name):
        if name not in qcache:
            W = numpy_helper.to_array(inits[name]).astype(np.float32)
            amax = float(np.abs(W).max())
            scale = amax / 127.0 if amax > 0 else 1.0
            q = np.clip(np.rint(W / scale), -127, 127).astype(np.int8)
            names = (name + "_quantized", name + "_scale", name + "_zero_point")
            new_inits.extend([numpy_helper.from_array(q, names[0]),
                              numpy_helper.from_array(np.array(scale, dtype=np.float32), names[1]),
                              numpy_helper.from_array(np.array(0, dtype=np.int8), names[2])])
            qcache[name] = names
        return qcache[name]

    out = []
    for node in g.node:
        if node.op_type == "Gather" and node.input[0] in inits and len(inits[node.input[0]].dims) == 2:
            qn, sn, zn = qweight(node.input[0])
            axis = [a.i for a in node.attribute if a.name == "axis"]
            out.append(helper.make_node("Gather", [qn, node.input[1]], [node.output[0] + "_quantized"],
                                        axis=axis[0] if axis else 0, name=node.name + "_quant"))
            out.append(helper.make_node("DequantizeLinear", [node.output[0] + "_quantized", sn, zn], [node.output[0]],
                                        name=node.name + "_DequantizeLinear"))
            continue
        if node.op_type == "Transpose" and node.name == "tied_decoder_weight_transpose":
            qn, sn, zn = qweight(node.input[0])
            out.append(helper.make_node("Transpose", [qn], [node.output[0] + "_quantized"], perm=[1, 0],
                                        name=node.name + "_quant"))
            tq[node.output[0]] = (node.output[0] + "_quantized", sn, zn)
            continue
        if node.op_type == "MatMul":
            b = node.input[1]
            if b in inits and len(inits[b].dims) == 2:
                bq = qweight(b)
            elif b in tq:
                bq = tq[b]
            else:
                out.append(node)
                continue
            x = node.input[0]
            if x not in xcache:
                xcache[x] = (x + "_quantized", x + "_scale", x + "_zero_point")
                out.append(helper.make_node("DynamicQuantizeLinear", [x], list(xcache[x]),
                                            name=x.replace("/", "_") + "_QuantizeLinear"))
            xq, xs, xz = xcache[x]
            y = node.output[0]
            nm = node.name or y
            out.append(helper.make_node("MatMulInteger", [xq, bq[0], xz, bq[2]], [y + "_output_quantized"], name=nm + "_quant"))
            out.append(helper.make_node("Cast", [y + "_output_quantized"], [y + "_output_quantized_cast"],
                                        to=TensorProto.FLOAT, name=nm + "_quant_cast"))
            out.append(helper.make_node("Mul", [xs, bq[1]], [y + "_quant_scales"], name=nm + "_quant_scales_mul"))
            out.append(helper.make_node("Mul", [y + "_output_quantized_cast", y + "_quant_scales"], [y],
                                        name=nm + "_quant_output_scale_mul"))
            continue
        out.append(node)

    del g.node[:]
    g.node.extend(out)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep + [i for i in new_inits if i.name in used])
    return model_proto


def save_safetensors(path, tensors, metadata=None):
    """`tensors` ({name: float32 array}) as a .safetensors file, in the format of the safetensors
    library: u64 little-endian header length, the JSON header (dtype, shape, data_offsets relative
    to the data section; `__metadata__` first), padded with spaces to 8 bytes, then each tensor's
    little-endian bytes in C order, in the order of the names, back to back. Written beside the
    target and renamed, so no half file is left."""
    header = {"__metadata__": dict(metadata or {})}
    arrays, offset = [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + arr.nbytes]}
        arrays.append(arr)
        offset += arr.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".incomplete"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for arr in arrays:
            f.write(arr.tobytes())
    os.replace(tmp, path)


def hf_state_dict(model, arch):
    """the model's parameters under transformers' names (the tied decoder weight is the word
    embedding, not a parameter of its own, so it is not in it, as in save_pretrained's files)"""
    return {hf_param_name(arch, name): p.detach().cpu().numpy() for name, p in model.named_parameters()}


def copy_repo_files(tokenizer_dir, out, config):
    os.makedirs(out, exist_ok=True)
    for fn in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        src = os.path.join(tokenizer_dir, fn)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(out, fn))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------- main

def build_config(c, name, tok, scheme, seed, emb_std, logit_std, source):
    cfg = {
        "_name_or_path": name,
        "architectures": ARCHS[c.arch]["architectures"],
        "attention_probs_dropout_prob": 0.0 if c.arch == "albert" else 0.1,
        "hidden_act": c.hidden_act,
        "hidden_dropout_prob": 0.0 if c.arch == "albert" else 0.1,
        "hidden_size": c.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": c.intermediate_size,
        "layer_norm_eps": c.layer_norm_eps,
        "max_position_embeddings": c.max_position_embeddings,
        "model_type": ARCHS[c.arch]["model_type"],
        "num_attention_heads": c.num_attention_heads,
        "num_hidden_layers": c.num_hidden_layers,
        "pad_token_id": c.pad_token_id,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "type_vocab_size": c.type_vocab_size,
        "vocab_size": c.vocab_size,
        "fixture_info": {
            "generator": GENERATOR, "seed": seed, "init": scheme, "logit_std_target": logit_std,
            "embedding_std": round(emb_std, 6), "tokenizer_source": source,
            "note": "random weights, for testing only; predictions are meaningless",
        },
    }
    if c.arch in ("bert", "roberta"):
        cfg["classifier_dropout"] = None
        cfg["use_cache"] = True
    if c.arch == "roberta":
        cfg["bos_token_id"], cfg["eos_token_id"] = tok["bos"], tok["eos"]
    if c.arch == "albert":
        cfg.update({"bos_token_id": tok["cls"], "eos_token_id": tok["sep"], "embedding_size": c.embedding_size,
                    "classifier_dropout_prob": 0.1, "inner_group_num": 1, "num_hidden_groups": 1,
                    "down_scale_factor": 1, "gap_size": 0, "net_structure_type": 0, "num_memory_blocks": 0})
    return dict(sorted(cfg.items()))


def sample_batch(c, tok, seed, batch=3, seq=13):
    """deterministic batch for the torch-vs-onnxruntime check: special tokens, random body,
    a mask token, a padded row and (bert/albert) a sentence-pair row with token_type_ids=1."""
    g = np.random.default_rng(seed + 1)
    specials = {v for k, v in tok.items() if k in ("pad", "bos", "eos", "cls", "sep", "mask", "unk") and v is not None}
    pool = np.array([i for i in range(c.vocab_size) if i not in specials])
    cls_id = tok["cls"] if tok["cls"] is not None else tok["bos"]
    sep_id = tok["sep"] if tok["sep"] is not None else tok["eos"]
    ids = np.full((batch, seq), tok["pad"], dtype=np.int64)
    am = np.zeros((batch, seq), dtype=np.int64)
    tt = np.zeros((batch, seq), dtype=np.int64)
    lengths = [seq, seq - 4, seq - 1][:batch]
    for b, L in enumerate(lengths):
        body = g.choice(pool, size=L - 2)
        body[g.integers(0, L - 2)] = tok["mask"]
        ids[b, 0], ids[b, 1:L - 1], ids[b, L - 1] = cls_id, body, sep_id
        am[b, :L] = 1
    if c.arch != "roberta":   # make row 2 a pair: [CLS] A [SEP] B [SEP]
        L = lengths[2]
        ids[2, 5] = sep_id
        tt[2, 6:L] = 1
    return ids, am, tt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--tokenizer", required=True, help="folder with tokenizer.json + tokenizer_config.json (+ special_tokens_map.json)")
    ap.add_argument("--out", help="output model folder with the ONNX export (optional with --weights-out)")
    ap.add_argument("--weights-out", help="also (or only) write the weights-only repo here: model.safetensors + config.json + tokenizer")
    ap.add_argument("--name", help="value for config._name_or_path (default: basename of --out, or of --weights-out)")
    ap.add_argument("--preset", default="tiny", choices=sorted(SIZE_PRESETS))
    ap.add_argument("--hidden-size", type=int)
    ap.add_argument("--num-layers", type=int)
    ap.add_argument("--num-heads", type=int)
    ap.add_argument("--intermediate-size", type=int)
    ap.add_argument("--embedding-size", type=int, help="albert only")
    ap.add_argument("--max-position-embeddings", type=int)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--init", default="fixture", choices=["fixture", "hf"])
    ap.add_argument("--logit-std", type=float, default=2.5)
    ap.add_argument("--opset", type=int, default=14)
    ap.add_argument("--quantize", action="store_true", help="also write onnx/model_quantized.onnx (int8)")
    ap.add_argument("--source", default="", help="free text provenance of the tokenizer, stored in config.fixture_info")
    ap.add_argument("--verify-dir", help="write inputs + torch logits for an onnxruntime cross-check here")
    a = ap.parse_args()
    if not a.out and not a.weights_out:
        ap.error("give --out (the ONNX export), --weights-out (the weights-only repo), or both")

    t0 = time.time()
    torch.manual_seed(a.seed)
    tok = read_tokenizer(a.tokenizer)
    arch = ARCHS[a.arch]
    size = dict(SIZE_PRESETS[a.preset])
    for k, v in [("hidden_size", a.hidden_size), ("num_hidden_layers", a.num_layers), ("num_attention_heads", a.num_heads),
                 ("intermediate_size", a.intermediate_size), ("embedding_size", a.embedding_size)]:
        if v is not None:
            size[k] = v
    c = Cfg(arch=a.arch, vocab_size=tok["vocab_size"], pad_token_id=tok["pad"],
            max_position_embeddings=a.max_position_embeddings or arch["max_position_embeddings"],
            type_vocab_size=arch["type_vocab_size"], layer_norm_eps=arch["layer_norm_eps"],
            hidden_act=arch["hidden_act"], **size)
    model = MaskedLM(c).eval()
    emb_std = init_weights(model, c, a.init, a.logit_std)
    n_params = sum(p.numel() for p in model.parameters())
    files = {}

    # ---- weights-only repo (before the export, which draws nothing: the same weights either way)
    if a.weights_out:
        wname = a.name or os.path.basename(os.path.normpath(a.weights_out))
        copy_repo_files(a.tokenizer, a.weights_out,
                        build_config(c, wname, tok, a.init, a.seed, emb_std, a.logit_std, a.source))
        st_path = os.path.join(a.weights_out, "model.safetensors")
        save_safetensors(st_path, hf_state_dict(model, a.arch), {"format": "pt"})
        files["model.safetensors"] = st_path

    ids, am, tt = sample_batch(c, tok, a.seed)
    export_model = RobertaExport(model) if a.arch == "roberta" else model
    ex = (torch.from_numpy(ids), torch.from_numpy(am)) + ((torch.from_numpy(tt),) if a.arch != "roberta" else ())
    with torch.no_grad():
        ref = export_model(*ex).numpy()
    replaced = []
    if a.out:
        replaced = export_onnx(a, c, tok, arch, model, export_model, ex, emb_std, files)

    if a.verify_dir:
        os.makedirs(a.verify_dir, exist_ok=True)
        with open(os.path.join(a.verify_dir, "inputs.json"), "w") as f:
            json.dump({"input_names": arch["onnx_inputs"], "input_ids": ids.tolist(), "attention_mask": am.tolist(),
                       "token_type_ids": tt.tolist(), "logits_shape": list(ref.shape)}, f)
        ref.astype("<f4").tofile(os.path.join(a.verify_dir, "torch_logits.f32"))

    dt = time.time() - t0
    summary = {
        "out": a.out, "weights_out": a.weights_out, "arch": a.arch, "preset": a.preset, "params": n_params, "vocab_size": c.vocab_size,
        "hidden_size": c.hidden_size, "layers": c.num_hidden_layers, "heads": c.num_attention_heads,
        "intermediate_size": c.intermediate_size, "max_position_embeddings": c.max_position_embeddings,
        "tied_decoder_copy_replaced": replaced, "seconds": round(dt, 2),
        "logits_std_on_sample": float(ref.std()),
        "files": {k: {"bytes": os.path.getsize(v), "sha256": sha256(v)} for k, v in files.items()},
    }
    print(json.dumps(summary, indent=2))


def export_onnx(a, c, tok, arch, model, export_model, ex, emb_std, files):
    """<out>/onnx/model.onnx (and model_quantized.onnx with --quantize), config.json and the tokenizer"""
    name = a.name or os.path.basename(os.path.normpath(a.out))
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    copy_repo_files(a.tokenizer, a.out, build_config(c, name, tok, a.init, a.seed, emb_std, a.logit_std, a.source))

    input_names = arch["onnx_inputs"]
    dyn = {n: {0: "batch_size", 1: "sequence_length"} for n in input_names + ["logits"]}
    fp32_path = os.path.join(a.out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(export_model, ex, fp32_path, input_names=input_names, output_names=["logits"],
                          dynamic_axes=dyn, opset_version=a.opset, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)

    mp = onnx.load(fp32_path)
    # rename parameter initializers to HF names
    ren = {}
    prefix = "m." if a.arch == "roberta" else ""
    for pname, _ in model.named_parameters():
        ren[prefix + pname] = hf_param_name(a.arch, pname)
    for init in mp.graph.initializer:
        if init.name in ren:
            init.name = ren[init.name]
    for node in mp.graph.node:   # (torch may route de-duplicated parameters through Identity nodes)
        for i, x in enumerate(node.input):
            if x in ren:
                node.input[i] = ren[x]
        for i, x in enumerate(node.output):
            if x in ren:
                node.output[i] = ren[x]
    emb_name = hf_param_name(a.arch, "backbone.embeddings.word_embeddings.weight")
    replaced = dedupe_tied_decoder(mp, emb_name)
    mp.producer_name, mp.producer_version = "make_tiny_mlm.py", GENERATOR
    onnx.checker.check_model(mp)
    onnx.save(mp, fp32_path)
    files["onnx/model.onnx"] = fp32_path

    if a.quantize:
        q_path = os.path.join(a.out, "onnx", "model_quantized.onnx")
        qm = quantize_int8(onnx.load(fp32_path))
        onnx.checker.check_model(qm)
        onnx.save(qm, q_path)
        files["onnx/model_quantized.onnx"] = q_path

    return replaced


if __name__ == "__main__":
    main()
