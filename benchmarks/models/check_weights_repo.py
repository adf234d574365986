#!/usr/bin/env python3
"""check_weights_repo.py - check a weights-only repo written by make_tiny_mlm.py --weights-out against
the ONNX export of the same seed: transformers loads model.safetensors into its own masked-LM class
(BertForMaskedLM, RobertaForMaskedLM, AlbertForMaskedLM, by config.json) with no missing or unexpected
weights but the tied decoder, and its logits on one sentence match onnxruntime's on onnx/model.onnx.

Needs torch, transformers and onnxruntime (not Debian's packages: run it with a virtualenv's python):
  <venv>/bin/python benchmarks/models/check_weights_repo.py bench-models/bench-distilroberta-weights bench-models/bench-distilroberta
Prints a JSON summary; exits 1 when the logits differ by more than --tolerance.
"""
import argparse
import json
import sys

import numpy as np
import onnxruntime
import torch
import transformers
from transformers import AutoModelForMaskedLM, AutoTokenizer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("weights_repo", help="folder with model.safetensors + config.json + tokenizer")
    ap.add_argument("onnx_repo", help="folder with onnx/model.onnx of the same seed")
    ap.add_argument("--sentence", default="The capital of France is {mask}, and it is a big city.")
    ap.add_argument("--tolerance", type=float, default=1e-3)
    a = ap.parse_args()

    model, info = AutoModelForMaskedLM.from_pretrained(a.weights_repo, output_loading_info=True)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(a.weights_repo)
    enc = tokenizer(a.sentence.format(mask=tokenizer.mask_token), return_tensors="np")
    session = onnxruntime.InferenceSession(f"{a.onnx_repo}/onnx/model.onnx", providers=["CPUExecutionProvider"])
    feeds = {i.name: enc[i.name].astype(np.int64) for i in session.get_inputs()}
    onnx_logits = session.run(["logits"], feeds)[0]
    with torch.no_grad():
        torch_logits = model(**{k: torch.from_numpy(v.astype(np.int64)) for k, v in feeds.items()}).logits.numpy()
    mask_at = int(np.argmax(enc["input_ids"][0] == tokenizer.mask_token_id))
    diff = float(np.abs(onnx_logits - torch_logits).max())
    top = lambda logits: [int(i) for i in np.argsort(-logits[0, mask_at])[:5]]  # noqa: E731
    # The decoder is tied to the word embeddings, so a file without it is complete (as save_pretrained writes it).
    missing = [k for k in info["missing_keys"] if not k.endswith("decoder.weight")]
    summary = {
        "class": type(model).__name__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "missing_keys": sorted(info["missing_keys"]),
        "unexpected_keys": sorted(info["unexpected_keys"]),
        "mismatched_keys": [list(map(str, k)) for k in info.get("mismatched_keys", [])],
        "tokens": int(enc["input_ids"].shape[1]),
        "max_abs_logit_difference": diff,
        "logit_std": float(onnx_logits.std()),
        "top5_at_mask": {"transformers": top(torch_logits), "onnxruntime": top(onnx_logits)},
    }
    ok = diff <= a.tolerance and not missing and not info["unexpected_keys"] and not info.get("mismatched_keys")
    summary["ok"] = ok
    print(json.dumps(summary, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
