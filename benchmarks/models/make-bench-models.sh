#!/usr/bin/env bash
# Builds benchmark-size masked-LMs with random (seeded) weights and real tokenizers:
#   <out>/bench-distilroberta  shape of distilroberta-base (6 layers, 768 hidden, vocab 50265, 82 M params, ~330 MB)
#   <out>/bench-bert-base      shape of bert-base-uncased  (12 layers, 768 hidden, vocab 30522, 110 M params, ~440 MB)
# Each with onnx/model.onnx (fp32) and onnx/model_quantized.onnx (int8), in the layout of a Hub model folder;
# and the same weights as a weights-only repo (the layout of a Hub model without an ONNX export), for the
# benchmark's load measurement (`npm run bench -- --load`):
#   <out>/bench-distilroberta-weights, <out>/bench-bert-base-weights   model.safetensors (fp32) + config.json + tokenizer
# Speed does not depend on the weights' values, so these stand in for the real models in benchmarks.
# The tokenizers are those of the test fixtures (internal/fixtures/models/tiny-roberta, tiny-bert-uncased:
# the real distilroberta-base and bert-base-uncased ones).
#
# Usage: benchmarks/models/make-bench-models.sh [OUT_DIR]     (default: bench-models/ at the repository's root)
# About a minute per model. A model whose onnx/model_quantized.onnx exists is kept as it is, and so is a
# weights-only repo whose model.safetensors exists (one missing is written alone, in seconds: the same seed
# draws the same weights).
# Needs Debian's python3-torch (1.13), python3-onnx and python3-numpy, run by /usr/bin/python3: installs
# them with apt-get when missing (as root, or through sudo). The same torch exports the same graph for
# the same seed; another torch version may export other ops, so the script uses no other.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/bench-models}
tokenizers=$repo/internal/fixtures/models
python=/usr/bin/python3
packages=(python3-torch python3-onnx python3-numpy)

if ! "$python" -c 'import torch, onnx, numpy' 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "make-bench-models.sh: needs ${packages[*]} (Debian): run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "installing ${packages[*]} with apt-get (once; a few minutes)" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  "$python" -c 'import torch, onnx, numpy'
fi

mkdir -p "$out"
build() { # arch tokenizer-fixture preset name
  local targets=()
  [ -f "$out/$4/onnx/model_quantized.onnx" ] || targets+=(--out "$out/$4" --quantize)
  [ -f "$out/$4-weights/model.safetensors" ] || targets+=(--weights-out "$out/$4-weights")
  [ ${#targets[@]} -eq 0 ] && return 0
  "$python" "$here/make_tiny_mlm.py" --arch "$1" --tokenizer "$tokenizers/$2" --preset "$3" \
    "${targets[@]}" --seed 1234 --source "benchmark shape of $3"
}
build roberta tiny-roberta      distilroberta-base bench-distilroberta
build bert    tiny-bert-uncased bert-base          bench-bert-base
echo "bench models in $out"
