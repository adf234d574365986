import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, type FillMask, type ModelDtype } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath, isReplayable, loadReference, type FixtureModel } from '@fillmask/fixtures';
import { createRemoteBackend } from './create-remote-backend.js';
import { startServeProcess, type ServeProcess } from './serve-process.test-helper.js';

// The remote backend against the real `fillmask serve` process on 127.0.0.1, compared with the onnx
// backend in this process on every fixture: the same numbers, through HTTP and JSON.

const setups: Array<[FixtureModel, ModelDtype]> = [
  ['tiny-bert-uncased', 'fp32'],
  ['tiny-roberta', 'fp32'],
  ['tiny-bert-cased-pt', 'fp32'],
  ['tiny-albert', 'fp32'],
  ['tiny-roberta', 'q8'],
];

for (const [fixture, dtype] of setups) {
  describe(`remote backend through fillmask serve = onnx backend: ${fixture} ${dtype}`, () => {
    const reference = loadReference(fixture, dtype);
    const mask = reference.mask_token;
    const singleMask = reference.cases
      .filter((entry) => isReplayable(entry) && entry.mask_count === 1 && entry.result)
      .map((entry) => entry.input);
    let serve: ServeProcess;
    let local: FillMask;
    let remote: FillMask;

    beforeAll(async () => {
      serve = await startServeProcess(['--model', fixtureModelPath(fixture), '--dtype', dtype, '--model-id', `fillmask-test/${fixture}`], {
        FILLMASK_AUTH_TOKEN: 'parity-token',
      });
      local = await createFillMask({ model: fixtureModelPath(fixture), dtype, backend: createOnnxBackend(), onWarning: () => undefined });
      remote = await createFillMask({
        model: `fillmask-test/${fixture}`,
        backend: createRemoteBackend({ endpointUrl: `${serve.url}/models/fillmask-test/${fixture}`, accessToken: 'parity-token' }),
      });
    });

    afterAll(async () => {
      await remote?.dispose();
      await local?.dispose();
      if (serve) expect(await serve.stop()).toBe(0);
    });

    it('learns the mask token and length limit from the server', () => {
      expect([remote.maskToken, remote.maxLength, remote.backend]).toEqual([local.maskToken, local.maxLength, 'remote']);
    });

    it('one mask: every reference input gives exactly the local result', async () => {
      expect(singleMask.length).toBeGreaterThanOrEqual(18);
      for (const input of singleMask) expect(await remote.fill(input), input).toEqual(await local.fill(input));
    });

    it('several masks: one ranked list per mask, exactly the local ones', async () => {
      const text = `The ${mask} sat on the ${mask} near the ${mask}.`;
      const result = await remote.fill(text, { topK: 7 });
      expect(result).toHaveLength(3);
      expect(result).toEqual(await local.fill(text, { topK: 7 }));
    });

    it('targets: the same tokens and full-vocabulary scores', async () => {
      const text = `Paris is the ${mask} of France.`;
      const [ranked] = await local.fill(text, { topK: 12 });
      const targets = ranked.slice(4, 10).map((prediction) => prediction.token_str);
      expect(await remote.fill(text, { targets, topK: 4 })).toEqual(await local.fill(text, { targets, topK: 4 }));
    });

    it('batches: an array of inputs, and fillSettled with a bad input, as locally', async () => {
      const inputs = [...singleMask.slice(0, 12), `A ${mask} and a ${mask}.`];
      expect(await remote.fill(inputs, { topK: 3 })).toEqual(await local.fill(inputs, { topK: 3 }));
      const settled = await remote.fillSettled([inputs[0], 'no mask here', inputs[1]]);
      const expected = await local.fillSettled([inputs[0], 'no mask here', inputs[1]]);
      expect(settled.map((slot) => slot.status)).toEqual(expected.map((slot) => slot.status));
      expect([settled[0], settled[2]]).toEqual([expected[0], expected[2]]);
    });

    it('keeps inputs and the token out of the access log', () => {
      const log = serve
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { path: string; status: number });
      expect(log.length).toBeGreaterThan(singleMask.length);
      expect(log.every((entry) => entry.status === 200)).toBe(true);
      expect(new Set(log.map((entry) => entry.path))).toEqual(
        new Set([`/models/fillmask-test/${fixture}/info`, `/models/fillmask-test/${fixture}`]),
      );
      expect(serve.stdout()).not.toContain('parity-token');
      expect(serve.stdout()).not.toContain(singleMask[0]);
    });
  });
}
