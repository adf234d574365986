import { describe, expect, it } from 'vitest';
import { commonMaskAliases, createFillMask, toPipelineOutput } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createFillMaskServer } from './index.js';
import { postJson } from './fill-mask-server.test-helper.js';

// The server accepts what its FillMask accepts: with maskAliases, [MASK] and <mask> for every model;
// without, the model's own token only. Real models, real HTTP on loopback.

async function serving(model: string, maskAliases?: readonly string[]) {
  const fillMask = await createFillMask({ model, backend: createOnnxBackend(), maskAliases });
  const server = createFillMaskServer({ fillMask });
  const url = await server.listen({ port: 0 });
  return {
    url,
    fillMask,
    close: async () => {
      await server.close();
      await fillMask.dispose();
    },
  };
}

describe('mask spellings over HTTP', () => {
  it.each([
    ['tiny-bert-uncased', '[MASK]'],
    ['tiny-roberta', '<mask>'],
  ] as const)('%s with maskAliases answers both spellings as its own %s', async (fixture, ownToken) => {
    const served = await serving(fixtureModelPath(fixture), commonMaskAliases);
    try {
      const expected = JSON.parse(
        JSON.stringify(toPipelineOutput(await served.fillMask.fill(`Paris is the ${ownToken} of France.`, { topK: 2 }))),
      );
      for (const spelling of ['[MASK]', '<mask>']) {
        const answer = await postJson(served.url, { inputs: `Paris is the ${spelling} of France.`, parameters: { top_k: 2 } });
        expect([answer.status, answer.body]).toEqual([200, expected]);
      }
      const none = await postJson(served.url, { inputs: ['A [MASK].', 'No mask.'] });
      expect(none.status).toBe(400);
      expect(none.body).toEqual({ error: expect.stringContaining('No mask token found in input 1') });
    } finally {
      await served.close();
    }
  });

  it('without maskAliases refuses another spelling than the model own token', async () => {
    const served = await serving(fixtureModelPath('tiny-bert-uncased'));
    try {
      const answer = await postJson(served.url, { inputs: 'Paris is the <mask> of France.' });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: expect.stringContaining('write [MASK]') });
    } finally {
      await served.close();
    }
  });
});
