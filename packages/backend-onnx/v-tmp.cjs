const ort = require('onnxruntime-node');
(async () => {
  const t = performance.now();
  const s = await ort.InferenceSession.create(process.argv[2], { graphOptimizationLevel: 'all', intraOpNumThreads: 2, logSeverityLevel: 0, logVerbosityLevel: 0, extra: { session: { x64quantprecision: process.argv[3] } } });
  console.error('TOTAL', performance.now() - t);
})();
