import { afterAll } from 'vitest';
import { createFillMask, type FillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { describeBackendConformance } from '@fillmask/backend-tests';
import { createFillMaskServer, type FillMaskServer } from '@fillmask/server';
import { createRemoteBackend } from './create-remote-backend.js';

// The shared suite, with each fixture served over HTTP on 127.0.0.1 by the real server and model:
// the remote backend must give what the local backends give.

const running: Array<{ server: FillMaskServer; fillMask: FillMask }> = [];

afterAll(async () => {
  for (const { server, fillMask } of running.splice(0)) {
    await server.close();
    await fillMask.dispose();
  }
});

describeBackendConformance('remote', {
  async createBackend({ path, dtype }) {
    const fillMask = await createFillMask({ model: path, dtype, backend: createOnnxBackend() });
    const server = createFillMaskServer({ fillMask });
    running.push({ server, fillMask });
    return createRemoteBackend({ endpointUrl: await server.listen({ port: 0 }) });
  },
  scoreTolerance: 1e-5,
});
