import { describe, expect, it } from 'vitest';
import { chooseAccessToken, isHuggingFaceHost } from './choose-access-token.js';

describe('chooseAccessToken', () => {
  const env = { HF_TOKEN: 'hf_env' };

  it('always sends a token given to the backend', () => {
    expect(chooseAccessToken('mine', 'hf_config', 'http://10.0.0.5:8080', env)).toBe('mine');
    expect(chooseAccessToken('mine', undefined, undefined, env)).toBe('mine');
  });

  it('sends the config token, else $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN to Hugging Face hosts', () => {
    expect(chooseAccessToken(undefined, 'hf_config', undefined, env)).toBe('hf_config');
    expect(chooseAccessToken(undefined, undefined, undefined, env)).toBe('hf_env');
    expect(chooseAccessToken(undefined, ' ', 'https://abc.us-east-1.aws.endpoints.huggingface.cloud', env)).toBe('hf_env');
    expect(chooseAccessToken(undefined, undefined, undefined, { HUGGING_FACE_HUB_TOKEN: 'hf_old' })).toBe('hf_old');
    expect(chooseAccessToken(undefined, undefined, undefined, {})).toBeUndefined();
  });

  it('never sends a Hugging Face token found elsewhere to another endpoint', () => {
    expect(chooseAccessToken(undefined, 'hf_config', 'http://127.0.0.1:8080', env)).toBeUndefined();
    expect(chooseAccessToken(undefined, 'hf_config', 'https://huggingface.co.evil.example', env)).toBeUndefined();
  });

  it('knows Hugging Face hosts by domain', () => {
    expect(['huggingface.co', 'router.huggingface.co', 'x.endpoints.huggingface.cloud'].every(isHuggingFaceHost)).toBe(true);
    expect(['evilhuggingface.co', 'huggingface.co.example', 'hf.space', 'localhost'].some(isHuggingFaceHost)).toBe(false);
  });
});
