import type { ModelBackendV1 } from '../backend/fill-mask-backend-v1.js';
import type { MaskedLmScorer } from './masked-lm-scorer.js';
import type { ScorerConfig } from './scorer-config.js';
import { resolveBackend } from '../backend/resolve-backend.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { checkLocalModelConfig, loadLocalModel } from '../model/load-local-model.js';
import { checkMaskAliases } from '../fill-mask/mask-aliases.js';
import { ModelMaskedLmScorer } from './model-masked-lm-scorer.js';

/**
 * Loads a masked LM for scoring: pseudo-log-likelihood and pseudo-perplexity of texts (Salazar et
 * al. 2020). Needs a model backend (`onnx`, `web`): a service such as the Inference API returns
 * ranked tokens, not the logits scoring reads.
 *
 * @example
 * const scorer = await createScorer({ model: 'Xenova/bert-base-uncased' });
 * const { pll, tokens, pppl } = await scorer.score('She opened the door and walked in.');
 */
export async function createScorer(config: ScorerConfig): Promise<MaskedLmScorer> {
  checkLocalModelConfig(config);
  checkMaskAliases(config.maskAliases);
  const backend = await resolveBackend(config.backend ?? 'onnx', config.backendOptions);
  if (backend.kind === 'service') {
    throw new InvalidArgumentError({
      argument: 'backend',
      value: backend.name,
      expected: 'a model backend such as "onnx" or "web": a service backend returns ranked tokens, not the logits scoring reads',
    });
  }
  return loadScorer(config, backend);
}

async function loadScorer(config: ScorerConfig, backend: ModelBackendV1): Promise<MaskedLmScorer> {
  const { files, tokenizer, model, batchLimits } = await loadLocalModel(config, backend);
  return new ModelMaskedLmScorer({
    model,
    tokenizer,
    location: files.location,
    backendName: backend.name,
    batchLimits,
    truncation: config.truncation ?? false,
    maskAliases: checkMaskAliases(config.maskAliases),
  });
}
