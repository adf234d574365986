const ort = require('onnxruntime-node');
(async () => {
  const base = { intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '1' }, x64quantprecision: '1', model_external_initializers_file_folder_path: '/work/main/bench-models/bench-distilroberta/onnx' } } };
  if (process.argv[2] === 'save') {
    const s = await ort.InferenceSession.create('/tmp/exp/prepared.onnx', { ...base, graphOptimizationLevel: 'all', optimizedModelFilePath: '/tmp/exp/optimized.onnx' });
    return;
  }
  const t = performance.now();
  const s = await ort.InferenceSession.create(process.argv[2], { ...base, graphOptimizationLevel: process.argv[3] });
  console.log(process.argv[2].slice(-16), process.argv[3], (performance.now() - t).toFixed(0), 'ms');
})();
