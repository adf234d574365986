import { describeBackendConformance } from '@fillmask/backend-tests';
import { createOnnxBackend } from './create-onnx-backend.js';

describeBackendConformance('onnx', { createBackend: () => createOnnxBackend(), scoreTolerance: 1e-5 });
