import * as ort from 'onnxruntime-node';
import {
  concatBytes,
  ElementType,
  encodeMessageField,
  encodeNode,
  encodeStringField,
  encodeValueInfo,
  encodeVarintField,
  GraphField,
  ModelField,
} from '@fillmask/onnx';
import { timed } from './statistics.js';

/**
 * The machine's fp32 matrix-multiply rate through the same runtime and thread count: the ceiling a
 * transformer forward pass can approach. A [1024 × 768] × [768 × 3072] MatMul, the shape of a BERT
 * feed-forward layer over 1,024 tokens, with the weights as a constant (onnxruntime packs them at
 * load, as it does a model's); the fastest repetition, since a ceiling is the best the machine does.
 */
export async function measureGemmGflops(threads: number, repetitions = 15): Promise<number> {
  const [m, k, n] = [1024, 768, 3072];
  return (2 * m * k * n) / ((await fastestMatMul(threads, m, k, n, repetitions)) / 1000) / 1e9;
}

/**
 * How fast a product can read its weights from memory: one row times a [768 × 65,536] fp32 matrix
 * (201 MB: more than all but the largest CPU caches hold), the shape of a vocabulary projection at one mask, where
 * the arithmetic is too little to hide the reading. In GB/s of weights; the fastest repetition.
 */
export async function measureWeightStreamingGBps(threads: number, repetitions = 15): Promise<number> {
  const [m, k, n] = [1, 768, 65_536];
  return (4 * k * n) / ((await fastestMatMul(threads, m, k, n, repetitions)) / 1000) / 1e9;
}

/** Milliseconds of the fastest of `repetitions` runs of `[m × k] × [k × n]` with the right side constant, after warm-up. */
async function fastestMatMul(threads: number, m: number, k: number, n: number, repetitions: number): Promise<number> {
  const weights = Float32Array.from({ length: k * n }, (_, index) => ((index * 104729) % 1000) / 1000 - 0.5);
  const session = await ort.InferenceSession.create(matMulModel(k, n, weights), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feeds = {
    a: new ort.Tensor(
      'float32',
      Float32Array.from({ length: m * k }, (_, index) => ((index * 7919) % 1000) / 1000 - 0.5),
      [m, k],
    ),
  };
  try {
    for (let warmup = 0; warmup < 3; warmup++) await session.run(feeds);
    const times: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) times.push(await timed(() => session.run(feeds)));
    return Math.min(...times);
  } finally {
    await session.release();
  }
}

function matMulModel(k: number, n: number, weights: Float32Array): Uint8Array {
  // TensorProto: dims (1), data_type (2), name (8), raw_data (9).
  const initializer = encodeMessageField(GraphField.initializer, [
    encodeVarintField(1, k),
    encodeVarintField(1, n),
    encodeVarintField(2, ElementType.float),
    encodeStringField(8, 'b'),
    encodeMessageField(9, [new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)]),
  ]);
  const graph = encodeMessageField(ModelField.graph, [
    encodeNode({ name: 'gemm', opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }),
    initializer,
    encodeValueInfo(GraphField.input, { name: 'a', elementType: ElementType.float, shape: ['m', k] }),
    encodeValueInfo(GraphField.output, { name: 'c', elementType: ElementType.float, shape: ['m', n] }),
  ]);
  const opset = encodeMessageField(ModelField.opsetImport, [encodeVarintField(2, 14)]);
  return concatBytes([encodeVarintField(1, 7), opset, graph]);
}
