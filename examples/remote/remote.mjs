import { createFillMask } from '@fillmask/core';
import { createRemoteBackend } from '@fillmask/backend-remote';
import { createFillMaskServer } from '@fillmask/server';

// With FILLMASK_ENDPOINT_URL set (a `fillmask serve`, an Inference Endpoint), the example calls it.
// Without, it starts the same server in this process, on a free port, so that it runs offline.
let endpointUrl = process.env.FILLMASK_ENDPOINT_URL;
let server;
let served;
if (endpointUrl === undefined) {
  const model = process.argv[2] ?? new URL('../../packages/cli/models/tiny-roberta', import.meta.url).pathname;
  served = await createFillMask({ model, backend: 'onnx' });
  server = createFillMaskServer({ fillMask: served, modelId: 'tiny-roberta' });
  endpointUrl = await server.listen({ port: 0 });
}

// The remote backend: the model runs behind endpointUrl; retries, timeouts and typed errors are here.
const fillMask = await createFillMask({
  model: 'tiny-roberta',
  backend: createRemoteBackend({ endpointUrl, accessToken: process.env.FILLMASK_TOKEN, maxRetries: 3, timeoutMs: 10_000 }),
});
const [predictions] = await fillMask.fill(`Paris is the ${fillMask.maskToken} of France.`, { topK: 3 });
for (const { score, token_str } of predictions) console.log(score.toFixed(4), JSON.stringify(token_str));

await fillMask.dispose();
await server?.close();
await served?.dispose();
