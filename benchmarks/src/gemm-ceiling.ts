import * as ort from 'onnxruntime-node';
import { concatBytes, ElementType, encodeMessageField, encodeNode, encodeValueInfo, encodeVarintField, GraphField, ModelField } from '@fillmask/core/graph';
import { summarize, timed } from './statistics.js';

/**
 * The machine's fp32 matrix-multiply rate through the same runtime and thread count: the ceiling a
 * transformer forward pass can approach. A [1024 × 768] × [768 × 3072] MatMul, the shape of a BERT
 * feed-forward layer over 1,024 tokens.
 */
export async function measureGemmGflops(threads: number, repetitions = 15): Promise<number> {
  const [m, k, n] = [1024, 768, 3072];
  const session = await ort.InferenceSession.create(matMulModel(), { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const feeds = {
    a: new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, index) => ((index * 7919) % 1000) / 1000 - 0.5), [m, k]),
    b: new ort.Tensor('float32', Float32Array.from({ length: k * n }, (_, index) => ((index * 104729) % 1000) / 1000 - 0.5), [k, n]),
  };
  try {
    for (let warmup = 0; warmup < 3; warmup++) await session.run(feeds);
    const times: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) times.push(await timed(() => session.run(feeds)));
    return (2 * m * k * n) / (summarize(times).median / 1000) / 1e9;
  } finally {
    await session.release();
  }
}

function matMulModel(): Uint8Array {
  const graph = encodeMessageField(ModelField.graph, [
    encodeNode({ name: 'gemm', opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }),
    encodeValueInfo(GraphField.input, { name: 'a', elementType: ElementType.float, shape: ['m', 'k'] }),
    encodeValueInfo(GraphField.input, { name: 'b', elementType: ElementType.float, shape: ['k', 'n'] }),
    encodeValueInfo(GraphField.output, { name: 'c', elementType: ElementType.float, shape: ['m', 'n'] }),
  ]);
  const opset = encodeMessageField(ModelField.opsetImport, [encodeVarintField(2, 14)]);
  return concatBytes([encodeVarintField(1, 7), opset, graph]);
}
