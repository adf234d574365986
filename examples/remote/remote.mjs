import { createFillMask } from '@fillmask/core';
import { createRemoteBackend } from '@fillmask/backend-remote';
import { modelPath } from '@fillmask/model-mini-en';
import { createFillMaskServer } from '@fillmask/server';

// With FILLMASK_ENDPOINT_URL set (a `fillmask serve`, an Inference Endpoint), the example calls it.
// Without, it starts the same server in this process, on a free port, so that it runs offline: by
// default with @fillmask/model-mini-en, the small English BERT the project trained (the CLI's default).
let endpointUrl = process.env.FILLMASK_ENDPOINT_URL;
let server;
let served;
if (endpointUrl === undefined) {
  const model = process.argv[2] ?? modelPath;
  served = await createFillMask({ model, backend: 'onnx' });
  server = createFillMaskServer({ fillMask: served, modelId: 'model-mini-en' });
  endpointUrl = await server.listen({ port: 0 });
}

// The remote backend: the model runs behind endpointUrl; retries, timeouts and typed errors are here.
// Its mask token comes from the endpoint (GET /info).
const fillMask = await createFillMask({
  model: 'model-mini-en',
  backend: createRemoteBackend({ endpointUrl, accessToken: process.env.FILLMASK_TOKEN, maxRetries: 3, timeoutMs: 10_000 }),
});
const [predictions] = await fillMask.fill(`She opened the ${fillMask.maskToken} and walked in.`, { topK: 3 });
for (const { score, token_str } of predictions) console.log(score.toFixed(4), JSON.stringify(token_str));

await fillMask.dispose();
await server?.close();
await served?.dispose();
