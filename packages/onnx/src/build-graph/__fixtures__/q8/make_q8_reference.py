#!/usr/bin/env python3
"""What onnxruntime's quantizer makes of the fp32 graphs buildMaskedLmGraph builds of the fixture
checkpoints, for quantizeMaskedLmGraph's tests to compare against (they never run Python).

Quantization: transformers.js' q8 (scripts/quantize.py, quantize_q8, with convert.py's defaults for
encoder models): onnxruntime.quantization ONNXQuantizer, per_channel=True, reduce_range=True, mode
IntegerOps, static=False, weights QInt8, activations QUInt8, op types IntegerOpsRegistry, extra options
EnableSubgraph + MatMulConstBOnly. Changes to what it is given and how, each what
quantizeMaskedLmGraph does on purpose:
  - the Transpose of an untied decoder weight is folded into a `<name>/transposed` initializer, as
    torch's exporter folds it, so the vocabulary projection is quantized per column like any weight;
  - a Transpose of an initializer counts as constant for MatMulConstBOnly, so a decoder tied to the
    word embeddings reads, through its Transpose, the uint8 table the embeddings' Gather reads (the
    quantizer's own Transpose handling) rather than staying fp32;
  - excluded (left fp32): Transposes of anything but an initializer (a quantized activation), MatMuls
    whose left operand is computed from initializers alone, and Conv nodes (DeBERTa-v2's), weights
    staying QInt8 where transformers.js would make every weight QUInt8 and the Conv a ConvInteger:
    the per-input batch variant of fillmask's graphs (quantizePerSequence) takes none of them.

Writes <out>/<architecture>.json: onnxruntime's version; the quantized graph's op counts; its
quantization nodes (DynamicQuantizeLinear, MatMulInteger, DequantizeLinear, and the Gathers and
Transposes it rewired) as [op, name, inputs, outputs]; every initializer's type, shape and the
first 16 hex digits of the sha256 of its values (little-endian); and its logits for each fixture input alone (float32, base64,
[positions, vocab]), from onnxruntime with exact int8 products (session.x64quantprecision).

usage (the venv with onnx and onnxruntime; the fp32 graphs written first, see
../../quantize-python-reference.test.ts):
    FILLMASK_WRITE_FP32_GRAPHS=/tmp/fp32-graphs npx vitest run packages/onnx/src/build-graph/quantize-python-reference.test.ts
    python make_q8_reference.py --graphs /tmp/fp32-graphs [--out DIR]   # DIR defaults to this script's folder
"""
import argparse
import base64
import collections
import hashlib
import json
import logging
import os

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper
from onnxruntime.quantization import QuantizationMode, QuantType
from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
from onnxruntime.quantization.registry import IntegerOpsRegistry

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINTS = os.path.dirname(HERE)
REWIRED = {'DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear'}


def fold_untied_decoders(model):
    """Replaces Transpose(W) of a 2-D float initializer no Gather reads, read by MatMuls as weights only, by W's transpose."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    gathered = {node.input[0] for node in graph.node if node.op_type == 'Gather'}
    for node in list(graph.node):
        if node.op_type != 'Transpose' or node.input[0] not in initializers or node.input[0] in gathered:
            continue
        source = initializers[node.input[0]]
        readers = [reader for reader in graph.node if node.output[0] in reader.input]
        if len(source.dims) != 2 or not readers or any(r.op_type != 'MatMul' or list(r.input).index(node.output[0]) != 1 for r in readers):
            continue
        folded = numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(source).T), source.name + '/transposed')
        graph.initializer.append(folded)
        for reader in readers:
            reader.input[1] = folded.name
        graph.node.remove(node)


def excluded_nodes(model):
    """The Convs, the Transposes of anything but an initializer, and the MatMuls of a left operand computed from initializers alone."""
    initializers = {tensor.name for tensor in model.graph.initializer}
    from_initializers = set()
    for node in model.graph.node:
        if all(name in initializers or name in from_initializers for name in node.input if name):
            from_initializers.update(node.output)
    return [node.name for node in model.graph.node
            if node.op_type == 'Conv'
            or (node.op_type == 'Transpose' and node.input[0] not in initializers)
            or (node.op_type == 'MatMul' and node.input[0] in from_initializers)]


def quantize(model):
    graph_initializers = {tensor.name for tensor in model.graph.initializer}
    transposed_initializers = {node.output[0] for node in model.graph.node if node.op_type == 'Transpose' and node.input[0] in graph_initializers}
    quantizer = ONNXQuantizer(model, True, True, mode=QuantizationMode.IntegerOps, static=False, weight_qType=QuantType.QInt8,
                              activation_qType=QuantType.QUInt8, tensors_range=None, nodes_to_quantize=[],
                              nodes_to_exclude=excluded_nodes(model),
                              op_types_to_quantize=set(IntegerOpsRegistry.keys()), extra_options=dict(EnableSubgraph=True, MatMulConstBOnly=True))
    in_path = quantizer.find_initializer_in_path
    quantizer.find_initializer_in_path = lambda name: name in transposed_initializers or in_path(name)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)
    try:
        quantized = quantizer.quantize_model()
    finally:
        logging.getLogger().setLevel(level)
    del quantized.graph.value_info[:]
    return quantized


def values_digest(tensor):
    values = numpy_helper.to_array(tensor)
    return hashlib.sha256(values.astype(values.dtype.newbyteorder('<')).tobytes()).hexdigest()[:16]


def logits_alone(model, expected):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.add_session_config_entry('session.x64quantprecision', '1')
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=['CPUExecutionProvider'])
    names = [entry.name for entry in session.get_inputs()]
    logits = []
    for row in expected['inputs']:
        feeds = dict(input_ids=np.array([row['input_ids']], dtype=np.int64),
                     attention_mask=np.ones((1, len(row['input_ids'])), dtype=np.int64),
                     token_type_ids=np.array([row['token_type_ids']], dtype=np.int64))
        output = session.run(['logits'], {name: feeds[name] for name in names})[0][0].astype('<f4')
        logits.append(base64.b64encode(output.tobytes()).decode('ascii'))
    return logits


def compact_json(reference):
    """One line per list item or dict entry under each top-level key, so a regeneration diffs line by line."""
    def entries(value):
        if isinstance(value, dict):
            return [f'{json.dumps(key)}:{json.dumps(item, separators=(",", ":"))}' for key, item in value.items()]
        return [json.dumps(item, separators=(',', ':')) for item in value]
    fields = []
    for key, value in reference.items():
        if isinstance(value, (dict, list)):
            brackets = '{}' if isinstance(value, dict) else '[]'
            fields.append(f'{json.dumps(key)}:{brackets[0]}\n  ' + ',\n  '.join(entries(value)) + f'\n{brackets[1]}')
        else:
            fields.append(f'{json.dumps(key)}:{json.dumps(value)}')
    return '{\n' + ',\n'.join(fields) + '\n}\n'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--graphs', required=True, help='the folder FILLMASK_WRITE_FP32_GRAPHS named')
    parser.add_argument('--out', default=HERE)
    args = parser.parse_args()
    for architecture in sorted(os.listdir(args.graphs)):
        model = onnx.load(os.path.join(args.graphs, architecture, 'model.onnx'))
        fold_untied_decoders(model)
        quantized = quantize(model)
        onnx.checker.check_model(quantized)
        with open(os.path.join(CHECKPOINTS, architecture, 'expected.json')) as handle:
            expected = json.load(handle)
        rewired = [node for node in quantized.graph.node
                   if node.op_type in REWIRED or (node.op_type in ('Gather', 'Transpose') and node.output[0].endswith('_quantized'))]
        reference = dict(
            onnxruntime=onnxruntime.__version__,
            ops=dict(sorted(collections.Counter(node.op_type for node in quantized.graph.node).items())),
            quantization_nodes=[[node.op_type, node.name, list(node.input), list(node.output)] for node in rewired],
            initializers={tensor.name: [tensor.data_type, list(tensor.dims), values_digest(tensor)] for tensor in quantized.graph.initializer},
            logits_alone=logits_alone(quantized, expected),
        )
        with open(os.path.join(args.out, architecture + '.json'), 'w') as handle:
            handle.write(compact_json(reference))
        print(f"{architecture:12s} {reference['ops'].get('MatMulInteger', 0)} MatMulInteger, {len(reference['initializers'])} initializers", flush=True)


if __name__ == '__main__':
    main()
