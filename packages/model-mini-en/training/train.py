#!/usr/bin/env python3
"""train.py - pre-train a small BERT masked LM from scratch (or continue pre-training one) and
export it as a Hugging Face model folder that @fillmask/core loads:

    <out>/config.json
    <out>/tokenizer.json, tokenizer_config.json, special_tokens_map.json   (copied from --tokenizer)
    <out>/onnx/model.onnx             fp32, opset 14, inputs input_ids / attention_mask /
                                      token_type_ids, output logits, dynamic batch and sequence axes
    <out>/onnx/model_quantized.onnx   int8, dynamic quantisation (DynamicQuantizeLinear + MatMulInteger)
    <out>/training_info.json          what was run: arguments, steps, tokens seen, losses, time

The corpus is read pre-tokenized (`pretokenize.mjs`: @fillmask/core's own tokenizer, so training
and inference split text identically). Objective: standard MLM, 15 % of the tokens chosen, of
those 80 % replaced by [MASK], 10 % by a random token, 10 % kept. The vocabulary projection is
computed only at the chosen positions.

The budget is training time (--minutes; a pause such as SIGSTOP is not counted): after 50
calibration steps the number of steps that fit is fixed and the learning-rate schedule (linear
warm-up, linear decay) is laid over it; the step count is logged so that `--max-steps N` replays
the same schedule. A checkpoint is written every --checkpoint-minutes, and --resume continues
from it.

Everything random is seeded (--seed). Requires Debian's python3-torch (1.13), python3-onnx and
python3-numpy; run with /usr/bin/python3. See ../README.md for the commands used.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# ----------------------------------------------------------------------------- tokenizer and data

def read_vocabulary(tokenizer_dir):
    with open(os.path.join(tokenizer_dir, "tokenizer.json"), encoding="utf-8") as file:
        tokenizer = json.load(file)
    vocab = dict(tokenizer["model"]["vocab"])
    for token in tokenizer.get("added_tokens", []):
        vocab[token["content"]] = token["id"]
    ids = {name: vocab[name] for name in SPECIAL_TOKENS}
    size = max(vocab.values()) + 1
    continuation = np.zeros(size, dtype=bool)
    for token, token_id in vocab.items():
        continuation[token_id] = token.startswith("##")
    # Random replacements never draw special tokens or [unused*] slots, which the corpus never contains.
    usable = np.array(sorted(i for t, i in vocab.items() if t not in SPECIAL_TOKENS and not t.startswith("[unused")))
    return dict(size=size, ids=ids, continuation=continuation, usable=usable)


class Corpus:
    """A pre-tokenized corpus: the flat uint16 id stream and the offsets where lines start."""

    def __init__(self, prefix, held_out_lines):
        self.ids = np.fromfile(prefix + ".ids.u16", dtype="<u2")
        starts = np.fromfile(prefix + ".lines.u32", dtype="<u4").astype(np.int64)
        self.line_ends = np.append(starts[1:], len(self.ids))
        # The last lines are held out for the validation loss.
        self.train_lines = starts[:-held_out_lines]
        self.train_end = int(starts[-held_out_lines])
        self.valid_lines = starts[-held_out_lines:]
        self.starts = starts

    def tokens(self):
        return len(self.ids)


def draw_example(corpus, lines, end, rng, body_length, vocab):
    """A run of up to body_length tokens. Half start at a line start and run on across lines; half
    are one line alone (a sentence or paragraph, as texts are scored); inside a line longer than the
    window, the start is a random word start."""
    index = int(rng.integers(len(lines)))
    start = int(lines[index])
    line_end = int(corpus.line_ends[np.searchsorted(corpus.starts, start)])
    if line_end - start > body_length and rng.random() < 0.5:
        start = int(rng.integers(start, line_end - body_length))
        while start < line_end and vocab["continuation"][corpus.ids[start]]:
            start += 1
    if rng.random() < 0.5:
        stop = min(line_end, start + body_length)
    else:
        stop = min(end, start + body_length)
    return corpus.ids[start:stop].astype(np.int64)


def make_batch(examples, vocab, rng, mask_probability=0.15):
    """Frames each example as [CLS] ... [SEP], pads, and applies the 80/10/10 MLM corruption."""
    ids = vocab["ids"]
    length = max(len(example) for example in examples) + 2
    input_ids = np.full((len(examples), length), ids["[PAD]"], dtype=np.int64)
    attention = np.zeros((len(examples), length), dtype=np.int64)
    for row, example in enumerate(examples):
        input_ids[row, 0] = ids["[CLS]"]
        input_ids[row, 1:len(example) + 1] = example
        input_ids[row, len(example) + 1] = ids["[SEP]"]
        attention[row, :len(example) + 2] = 1
    candidates = (attention == 1) & ~np.isin(input_ids, [ids[name] for name in SPECIAL_TOKENS])
    chosen = candidates & (rng.random(input_ids.shape) < mask_probability)
    # Every row predicts at least one token.
    for row in np.where(~chosen.any(axis=1))[0]:
        options = np.where(candidates[row])[0]
        if len(options):
            chosen[row, rng.choice(options)] = True
    labels = input_ids[chosen].copy()
    corrupted = input_ids.copy()
    action = rng.random(input_ids.shape)
    corrupted[chosen & (action < 0.8)] = ids["[MASK]"]
    random_slots = chosen & (action >= 0.8) & (action < 0.9)
    corrupted[random_slots] = rng.choice(vocab["usable"], size=int(random_slots.sum()))
    return (torch.from_numpy(corrupted), torch.from_numpy(attention), torch.from_numpy(np.flatnonzero(chosen)),
            torch.from_numpy(labels))


# ----------------------------------------------------------------------------- model (HF BertForMaskedLM)

class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).unsqueeze(0), persistent=False)

    def forward(self, input_ids, token_type_ids):
        positions = self.position_ids[:, :input_ids.size(1)]
        embedded = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(embedded))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.head_size = c["hidden_size"] // self.heads
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        return x.view(x.size()[:-1] + (self.heads, self.head_size)).permute(0, 2, 1, 3)

    def forward(self, hidden, additive_mask):
        q, k, v = self.split(self.query(hidden)), self.split(self.key(hidden)), self.split(self.value(hidden))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size)
        probabilities = self.dropout(F.softmax(scores + additive_mask, dim=-1))
        context = torch.matmul(probabilities, v).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size()[:-2] + (self.heads * self.head_size,))


class DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, dropout, + residual, LayerNorm."""

    def __init__(self, inputs, outputs, c):
        super().__init__()
        self.dense = nn.Linear(inputs, outputs)
        self.LayerNorm = nn.LayerNorm(outputs, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseNorm(c["hidden_size"], c["hidden_size"], c)

    def forward(self, hidden, additive_mask):
        return self.output(self.self(hidden, additive_mask), hidden)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c["intermediate_size"], c["hidden_size"], c)

    def forward(self, hidden, additive_mask):
        attended = self.attention(hidden, additive_mask)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, hidden, additive_mask):
        for layer in self.layer:
            hidden = layer(hidden, additive_mask)
        return hidden


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def forward(self, input_ids, attention_mask, token_type_ids):
        additive = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids, token_type_ids), additive)


class Transform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class Predictions(nn.Module):
    """BertLMPredictionHead: transform, then the decoder tied to the word embeddings, plus a bias."""

    def __init__(self, c):
        super().__init__()
        self.transform = Transform(c)
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))


class Heads(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = Predictions(c)


class BertForMaskedLM(nn.Module):
    """Parameter names are the Hugging Face state-dict names (bert.*, cls.predictions.*)."""

    def __init__(self, c):
        super().__init__()
        self.bert = Bert(c)
        self.cls = Heads(c)

    def project(self, hidden):
        head = self.cls.predictions
        return F.linear(head.transform(hidden), self.bert.embeddings.word_embeddings.weight, head.bias)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.project(self.bert(input_ids, attention_mask, token_type_ids))

    def masked_logits(self, input_ids, attention_mask, flat_positions):
        """Logits at the chosen positions only: the projection onto the vocabulary dominates the cost."""
        hidden = self.bert(input_ids, attention_mask, torch.zeros_like(input_ids))
        return self.project(hidden.reshape(-1, hidden.size(-1))[flat_positions])


def init_weights(model, std=0.02):
    """BertPreTrainedModel._init_weights."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                module.weight.normal_(0.0, std)
                module.bias.zero_()
            elif isinstance(module, nn.Embedding):
                module.weight.normal_(0.0, std)
                if module.padding_idx is not None:
                    module.weight[module.padding_idx].zero_()
            elif isinstance(module, nn.LayerNorm):
                module.weight.fill_(1.0)
                module.bias.zero_()
        model.cls.predictions.bias.zero_()


def build_config(args, vocab):
    return {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": args.dropout,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": args.dropout,
        "hidden_size": args.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": args.intermediate_size,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": args.max_positions,
        "model_type": "bert",
        "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers,
        "pad_token_id": vocab["ids"]["[PAD]"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": vocab["size"],
    }


# ----------------------------------------------------------------------------- training

def learning_rate(step, max_steps, peak, warmup_fraction):
    warmup = max(1, int(max_steps * warmup_fraction))
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, (max_steps - step) / max(1, max_steps - warmup))


def validation_batches(corpus, vocab, body_length, batch_size, count, seed):
    """A fixed set of held-out batches with fixed corruption, so losses are comparable across steps."""
    rng = np.random.default_rng(seed + 7)
    return [make_batch([draw_example(corpus, corpus.valid_lines, corpus.tokens(), rng, body_length, vocab) for _ in range(batch_size)], vocab, rng)
            for _ in range(count)]


def validation_loss(model, batches):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for input_ids, attention, positions, labels in batches:
            logits = model.masked_logits(input_ids, attention, positions)
            total += F.cross_entropy(logits, labels, reduction="sum").item()
            count += len(labels)
    model.train()
    return total / count


def save_checkpoint(path, state):
    temporary = path + ".tmp"
    torch.save(state, temporary)
    os.replace(temporary, path)   # a kill during the write never leaves a half checkpoint


def loaded_blas():
    """The BLAS library this process mapped: Debian's python3-torch calls the system libblas.so.3."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line}
        return sorted(paths)
    except OSError:
        return []


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    vocab = read_vocabulary(args.tokenizer)
    corpus = Corpus(args.data, args.held_out_lines)
    body_length = args.max_positions - 2
    config = build_config(args, vocab)
    os.makedirs(args.work, exist_ok=True)
    checkpoint_path = os.path.join(args.work, "checkpoint.pt")
    log = open(os.path.join(args.work, "train.log"), "a", buffering=1)

    def note(message):
        line = f"[{time.strftime('%H:%M:%S')}] {message}"
        print(line, file=log)
        print(line, file=sys.stderr)

    model = BertForMaskedLM(config)
    init_weights(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-6, weight_decay=args.weight_decay)
    rng = np.random.default_rng(args.seed)
    state = dict(step=0, max_steps=args.max_steps, tokens_seen=0, seconds=0.0, history=[])
    if args.resume and os.path.exists(checkpoint_path):
        saved = torch.load(checkpoint_path)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        rng.bit_generator.state = saved["numpy_rng"]
        torch.set_rng_state(saved["torch_rng"])
        state = saved["state"]
        note(f"resumed at step {state['step']} of {state['max_steps']}")
    elif args.init_from:
        saved = torch.load(args.init_from)
        model.load_state_dict(saved["model"])
        state["init_from"] = {"checkpoint": os.path.abspath(args.init_from), "step": saved["state"]["step"],
                              "tokens_seen": saved["state"]["tokens_seen"]}
        note(f"continuing pre-training from {args.init_from} (step {saved['state']['step']})")
    params = sum(p.numel() for p in model.parameters())
    blas = loaded_blas()
    note(f"BLAS: {blas}")
    if any("/blas/libblas" in path for path in blas):
        note("warning: the reference BLAS is loaded, about 5x slower than OpenBLAS; see README (LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp)")
    note(f"{params} parameters; corpus {corpus.tokens()} tokens in {len(corpus.starts)} lines; config {json.dumps(config)}")

    valid = validation_batches(corpus, vocab, body_length, args.batch_size, args.valid_batches, args.seed)
    if state["step"] == 0:
        loss = validation_loss(model, valid)
        state["history"].append({"step": 0, "valid_loss": round(loss, 4)})
        note(f"step 0 validation loss {loss:.4f}")

    model.train()
    last_checkpoint = time.time()
    calibration_steps = 50
    running = []
    durations = []
    while state["max_steps"] is None or state["step"] < state["max_steps"]:
        step_started = time.time()
        step = state["step"]
        if state["max_steps"] is None and step == calibration_steps:
            seconds_per_step = state["seconds"] / calibration_steps
            state["max_steps"] = max(calibration_steps + 1, int(args.minutes * 60 / seconds_per_step))
            note(f"{seconds_per_step:.2f} s per step: {state['max_steps']} steps fit in {args.minutes} minutes (replay with --max-steps {state['max_steps']})")
        # The calibration steps always follow the schedule of --max-steps-guess steps, so that a replay
        # with --max-steps takes exactly the steps the timed run took.
        schedule_steps = args.max_steps_guess if step < calibration_steps else state["max_steps"]
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, schedule_steps, args.lr, args.warmup_fraction)
        examples = [draw_example(corpus, corpus.train_lines, corpus.train_end, rng, body_length, vocab) for _ in range(args.batch_size)]
        input_ids, attention, positions, labels = make_batch(examples, vocab, rng)
        logits = model.masked_logits(input_ids, attention, positions)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running.append(loss.item())
        state["step"] = step + 1
        state["tokens_seen"] += int(attention.sum())
        # The budget counts training time: a step that took far longer than the others was paused
        # (SIGSTOP, a suspended machine) and counts as a typical step.
        duration = time.time() - step_started
        typical = float(np.median(durations[-50:])) if durations else duration
        if len(durations) >= 10 and duration > max(60.0, 20 * typical):
            note(f"step {state['step']} took {duration:.0f} s, typically {typical:.1f} s: counted as paused")
            duration = typical
        durations.append(duration)
        state["seconds"] += duration
        if state["step"] % args.log_every == 0:
            note(f"step {state['step']}/{state['max_steps']} loss {np.mean(running):.4f} lr {optimizer.param_groups[0]['lr']:.2e} "
                 f"tokens {state['tokens_seen']} elapsed {state['seconds'] / 60:.1f} min")
            running = []
        if state["step"] % args.valid_every == 0:
            loss_value = validation_loss(model, valid)
            state["history"].append({"step": state["step"], "valid_loss": round(loss_value, 4), "minutes": round(state["seconds"] / 60, 1)})
            note(f"step {state['step']} validation loss {loss_value:.4f}")
        if time.time() - last_checkpoint > args.checkpoint_minutes * 60:
            save_checkpoint(checkpoint_path, dict(model=model.state_dict(), optimizer=optimizer.state_dict(), state=state,
                                                  numpy_rng=rng.bit_generator.state, torch_rng=torch.get_rng_state(), args=vars(args)))
            last_checkpoint = time.time()
            note(f"checkpoint at step {state['step']}")
        # A slower machine than calibrated for still stops near the budget (the schedule is then cut short).
        if args.minutes and state["seconds"] > args.minutes * 60 * 1.15:
            note(f"time budget exceeded at step {state['step']} of {state['max_steps']}: stopping")
            break

    loss_value = validation_loss(model, valid)
    state["history"].append({"step": state["step"], "valid_loss": round(loss_value, 4), "minutes": round(state["seconds"] / 60, 1)})
    note(f"done: step {state['step']} validation loss {loss_value:.4f}, {state['seconds'] / 60:.1f} min")
    save_checkpoint(checkpoint_path, dict(model=model.state_dict(), optimizer=optimizer.state_dict(), state=state,
                                          numpy_rng=rng.bit_generator.state, torch_rng=torch.get_rng_state(), args=vars(args)))
    return model, config, state, params


# ----------------------------------------------------------------------------- ONNX export

def dedupe_tied_decoder(model_proto, embedding_name):
    """Constant folding stores the transposed (tied) word embeddings as a second initializer, doubling
    the file; put back a Transpose of the one embedding table instead (onnxruntime folds it at load)."""
    graph = model_proto.graph
    initializers = {init.name: init for init in graph.initializer}
    embedding = numpy_helper.to_array(initializers[embedding_name])
    replaced = []
    for init in list(graph.initializer):
        if init.name != embedding_name and tuple(init.dims) == (embedding.shape[1], embedding.shape[0]):
            if np.array_equal(numpy_helper.to_array(init), embedding.T):
                graph.initializer.remove(init)
                graph.node.insert(0, helper.make_node("Transpose", [embedding_name], [init.name], perm=[1, 0],
                                                      name="tied_decoder_weight_transpose"))
                replaced.append(init.name)
    return replaced


def quantize_int8(model_proto):
    """Dynamic int8 quantisation in the operator pattern of onnxruntime's quantize_dynamic (what
    Xenova / onnx-community `model_quantized.onnx` files hold), without onnxruntime for Python:
      MatMul(x, W) -> DynamicQuantizeLinear(x); MatMulInteger(xq, Wq, x_zero, 0); Cast; Mul(x_scale * W_scale)
      Gather(E, i) -> Gather(Eq, i); DequantizeLinear
    Weights: int8, symmetric, one scale per tensor. The tied decoder reads the int8 embedding table
    through a Transpose, so the table is stored once."""
    graph = model_proto.graph
    initializers = {init.name: init for init in graph.initializer}
    added, quantized_weights, quantized_inputs, transposed = [], {}, {}, {}

    def quantize_weight(name):
        if name not in quantized_weights:
            weight = numpy_helper.to_array(initializers[name]).astype(np.float32)
            largest = float(np.abs(weight).max())
            scale = largest / 127.0 if largest > 0 else 1.0
            values = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
            names = (name + "_quantized", name + "_scale", name + "_zero_point")
            added.extend([numpy_helper.from_array(values, names[0]),
                          numpy_helper.from_array(np.array(scale, dtype=np.float32), names[1]),
                          numpy_helper.from_array(np.array(0, dtype=np.int8), names[2])])
            quantized_weights[name] = names
        return quantized_weights[name]

    nodes = []
    for node in graph.node:
        if node.op_type == "Gather" and node.input[0] in initializers and len(initializers[node.input[0]].dims) == 2:
            values, scale, zero = quantize_weight(node.input[0])
            axis = [attribute.i for attribute in node.attribute if attribute.name == "axis"]
            nodes.append(helper.make_node("Gather", [values, node.input[1]], [node.output[0] + "_quantized"],
                                          axis=axis[0] if axis else 0, name=node.name + "_quant"))
            nodes.append(helper.make_node("DequantizeLinear", [node.output[0] + "_quantized", scale, zero], [node.output[0]],
                                          name=node.name + "_DequantizeLinear"))
            continue
        if node.op_type == "Transpose" and node.name == "tied_decoder_weight_transpose":
            values, scale, zero = quantize_weight(node.input[0])
            nodes.append(helper.make_node("Transpose", [values], [node.output[0] + "_quantized"], perm=[1, 0], name=node.name + "_quant"))
            transposed[node.output[0]] = (node.output[0] + "_quantized", scale, zero)
            continue
        if node.op_type == "MatMul":
            weight = node.input[1]
            if weight in initializers and len(initializers[weight].dims) == 2:
                weight_names = quantize_weight(weight)
            elif weight in transposed:
                weight_names = transposed[weight]
            else:
                nodes.append(node)
                continue
            x = node.input[0]
            if x not in quantized_inputs:
                quantized_inputs[x] = (x + "_quantized", x + "_scale", x + "_zero_point")
                nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(quantized_inputs[x]),
                                              name=x.replace("/", "_") + "_QuantizeLinear"))
            xq, x_scale, x_zero = quantized_inputs[x]
            y = node.output[0]
            name = node.name or y
            nodes.append(helper.make_node("MatMulInteger", [xq, weight_names[0], x_zero, weight_names[2]], [y + "_output_quantized"], name=name + "_quant"))
            nodes.append(helper.make_node("Cast", [y + "_output_quantized"], [y + "_output_quantized_cast"], to=TensorProto.FLOAT, name=name + "_quant_cast"))
            nodes.append(helper.make_node("Mul", [x_scale, weight_names[1]], [y + "_quant_scales"], name=name + "_quant_scales_mul"))
            nodes.append(helper.make_node("Mul", [y + "_output_quantized_cast", y + "_quant_scales"], [y], name=name + "_quant_output_scale_mul"))
            continue
        nodes.append(node)

    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + [init for init in added if init.name in used])
    return model_proto


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export(model, config, args, out_dir):
    model.eval()
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        source = os.path.join(args.tokenizer, name)
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(out_dir, name))
    # The same tokenizer, without the indentation: half the bytes of the package's 25 MB budget.
    with open(os.path.join(args.tokenizer, "tokenizer.json"), encoding="utf-8") as file:
        tokenizer_json = json.load(file)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as file:
        json.dump(tokenizer_json, file, ensure_ascii=False, separators=(",", ":"))
    # The tokenizer accepts no more tokens than the position table holds.
    config_path = os.path.join(out_dir, "tokenizer_config.json")
    with open(config_path, encoding="utf-8") as file:
        tokenizer_config = json.load(file)
    tokenizer_config["model_max_length"] = config["max_position_embeddings"]
    with open(config_path, "w", encoding="utf-8") as file:
        json.dump(tokenizer_config, file, indent=2, ensure_ascii=False)
        file.write("\n")
    with open(os.path.join(out_dir, "config.json"), "w") as file:
        json.dump({"_name_or_path": args.name, **config}, file, indent=2)
        file.write("\n")

    example = torch.tensor([[101, 1996, 103, 2003, 1037, 102], [101, 2023, 2003, 103, 102, 0]])
    attention = (example != 0).long()
    types = torch.zeros_like(example)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch_size", 1: "sequence_length"} for name in names + ["logits"]}
    fp32_path = os.path.join(out_dir, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (example, attention, types), fp32_path, input_names=names, output_names=["logits"],
                          dynamic_axes=axes, opset_version=14, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load(fp32_path)
    replaced = dedupe_tied_decoder(proto, "bert.embeddings.word_embeddings.weight")
    proto.producer_name, proto.producer_version = "fillmask-train.py", "1"
    onnx.checker.check_model(proto)
    onnx.save(proto, fp32_path)
    quantized_path = os.path.join(out_dir, "onnx", "model_quantized.onnx")
    quantized = quantize_int8(onnx.load(fp32_path))
    onnx.checker.check_model(quantized)
    onnx.save(quantized, quantized_path)
    return {"tied_decoder_copy_replaced": replaced,
            "files": {path: {"bytes": os.path.getsize(os.path.join(out_dir, path)), "sha256": sha256(os.path.join(out_dir, path))}
                      for path in ("onnx/model.onnx", "onnx/model_quantized.onnx")}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="prefix of the pretokenize.mjs output (<prefix>.ids.u16, <prefix>.lines.u32)")
    parser.add_argument("--tokenizer", required=True, help="folder with tokenizer.json and tokenizer_config.json (the one pretokenize.mjs used)")
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--work", required=True, help="folder for the checkpoint and the log")
    parser.add_argument("--name", default="fillmask/mini-en", help="config.json _name_or_path")
    parser.add_argument("--minutes", type=float, default=75.0, help="time budget of the training steps")
    parser.add_argument("--max-steps", type=int, help="fixed number of steps (replays a run); overrides --minutes")
    parser.add_argument("--max-steps-guess", type=int, default=4000, help="schedule length assumed during the calibration steps")
    parser.add_argument("--init-from", help="checkpoint.pt to continue pre-training from (domain adaptation)")
    parser.add_argument("--resume", action="store_true", help="continue from <work>/checkpoint.pt")
    parser.add_argument("--export-only", action="store_true", help="export <work>/checkpoint.pt without training")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup-fraction", type=float, default=0.05)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--dropout", type=float, default=0.0, help="hidden and attention dropout (0: the model underfits its budget)")
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate-size", type=int, default=512)
    parser.add_argument("--max-positions", type=int, default=128)
    parser.add_argument("--held-out-lines", type=int, default=2000)
    parser.add_argument("--valid-batches", type=int, default=8)
    parser.add_argument("--valid-every", type=int, default=250)
    parser.add_argument("--log-every", type=int, default=25)
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0)
    args = parser.parse_args()
    if args.max_steps is not None:
        args.minutes = 0

    if args.export_only:
        torch.set_num_threads(args.threads)
        vocab = read_vocabulary(args.tokenizer)
        saved = torch.load(os.path.join(args.work, "checkpoint.pt"))
        config = build_config(argparse.Namespace(**{**saved["args"], "tokenizer": args.tokenizer}), vocab)
        model = BertForMaskedLM(config)
        model.load_state_dict(saved["model"])
        state, params = saved["state"], sum(p.numel() for p in model.parameters())
        run_args = saved["args"]
    else:
        model, config, state, params = train(args)
        run_args = vars(args)
    exported = export(model, config, args, args.out)
    info = {"parameters": params, "steps": state["step"], "max_steps": state["max_steps"], "tokens_seen": state["tokens_seen"],
            "training_minutes": round(state["seconds"] / 60, 1), "validation": state["history"],
            "init_from": state.get("init_from"), "arguments": {k: v for k, v in run_args.items() if k not in ("resume", "export_only")},
            "torch": torch.__version__, **exported}
    for folder in (args.work, args.out):
        with open(os.path.join(folder, "training_info.json"), "w") as file:
            json.dump(info, file, indent=2)
            file.write("\n")
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
