import type { ModelFiles } from './model-files.js';
import type { ModelSourceOptions } from './model-source-options.js';

/**
 * The signature both `openModel` implementations share, named here so the published types need not
 * mention the `#platform/open-model` import (which resolvers without `imports` support cannot follow).
 */
export type OpenModel = (model: string, options?: ModelSourceOptions) => Promise<ModelFiles>;
