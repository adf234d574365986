import { homedir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHfHome, resolveHubCacheDir } from './hub-cache-dir.js';

describe('resolveHubCacheDir', () => {
  const root = path.resolve('/tmp/fillmask-cache-dir-test');

  it('prefers options.cacheDir, then HF_HUB_CACHE, then HF_HOME/hub', () => {
    const env = { HF_HUB_CACHE: path.join(root, 'hub-cache'), HF_HOME: path.join(root, 'home') };
    expect(resolveHubCacheDir({ cacheDir: path.join(root, 'option') }, env)).toBe(path.join(root, 'option'));
    expect(resolveHubCacheDir({}, env)).toBe(path.join(root, 'hub-cache'));
    expect(resolveHubCacheDir({}, { HF_HOME: path.join(root, 'home') })).toBe(path.join(root, 'home', 'hub'));
  });

  it('defaults to ~/.cache/huggingface/hub, or XDG_CACHE_HOME/huggingface/hub', () => {
    expect(resolveHubCacheDir({}, {})).toBe(path.join(homedir(), '.cache', 'huggingface', 'hub'));
    expect(resolveHubCacheDir({}, { XDG_CACHE_HOME: path.join(root, 'xdg') })).toBe(path.join(root, 'xdg', 'huggingface', 'hub'));
  });

  it('accepts the older HUGGINGFACE_HUB_CACHE, below HF_HUB_CACHE', () => {
    expect(resolveHubCacheDir({}, { HUGGINGFACE_HUB_CACHE: path.join(root, 'old') })).toBe(path.join(root, 'old'));
    expect(resolveHubCacheDir({}, { HUGGINGFACE_HUB_CACHE: path.join(root, 'old'), HF_HUB_CACHE: path.join(root, 'new') })).toBe(
      path.join(root, 'new'),
    );
  });

  it('expands ~, makes relative paths absolute, and ignores empty variables', () => {
    expect(resolveHubCacheDir({}, { HF_HOME: '~/hf' })).toBe(path.join(homedir(), 'hf', 'hub'));
    expect(resolveHubCacheDir({ cacheDir: 'relative/cache' }, {})).toBe(path.resolve('relative/cache'));
    expect(resolveHubCacheDir({}, { HF_HUB_CACHE: '', HF_HOME: path.join(root, 'home') })).toBe(path.join(root, 'home', 'hub'));
  });

  it('reads process.env by default', () => {
    expect(resolveHubCacheDir()).toBe(resolveHubCacheDir({}, process.env));
    expect(resolveHfHome()).toBe(resolveHfHome(process.env));
  });
});
