import { describeBackendConformance } from '@fillmask/backend-tests';
import { createOnnxBackend } from './create-onnx-backend.js';

describeBackendConformance('onnx', { createBackend: () => createOnnxBackend(), scoreTolerance: 1e-5 });

// The unrewritten graph (logits at every position, rows picked in JS) must give the same answers.
describeBackendConformance('onnx, full graph', { createBackend: () => createOnnxBackend({ maskRowsOnly: false }), scoreTolerance: 1e-5 });
