import { describeBackendConformance } from '@fillmask/backend-tests';
import { createPageBackend } from './page-backend.test-helper.js';
import { useHarnessPage } from './harness-session.test-helper.js';

const page = useHarnessPage();

// The shared suite, with the backend's every run executed by onnxruntime-web in Chromium. Its
// reference is transformers.js on onnxruntime-node; for q8 that includes native onnxruntime's fused
// quantized kernel, which WebAssembly does not have (see NodeGraphMode): up to 8.8e-4 apart there.
describeBackendConformance('web (Chromium, wasm)', {
  createBackend: () => createPageBackend(page),
  dtypes: ['fp32'],
  scoreTolerance: 1e-5,
});
describeBackendConformance('web (Chromium, wasm)', { createBackend: () => createPageBackend(page), dtypes: ['q8'], scoreTolerance: 1e-3 });
