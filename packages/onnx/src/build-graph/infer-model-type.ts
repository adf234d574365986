import type { ModelConfig } from '@fillmask/core';

/** transformers' class-name prefixes of the buildable model types, longest first so `XLMRoberta` wins over `Roberta`. */
const classPrefixes: ReadonlyArray<readonly [string, string]> = [
  ['XLMRoberta', 'xlm-roberta'],
  ['DebertaV2', 'deberta-v2'],
  ['ModernBert', 'modernbert'],
  ['DistilBert', 'distilbert'],
  ['Camembert', 'camembert'],
  ['Roberta', 'roberta'],
  ['Electra', 'electra'],
  ['Albert', 'albert'],
  ['Bert', 'bert'],
];

/**
 * The config's `model_type`; for configs saved before transformers wrote one (many 2019-2020
 * checkpoints), the type its `architectures` name (`BertForMaskedLM` -> `bert`), as transformers
 * itself falls back to what the checkpoint says it is. Undefined when neither tells.
 */
export function inferModelType(config: ModelConfig): string | undefined {
  if (typeof config.model_type === 'string' && config.model_type !== '') return config.model_type;
  const architectures = (config as { architectures?: unknown }).architectures;
  if (!Array.isArray(architectures)) return undefined;
  for (const architecture of architectures) {
    if (typeof architecture !== 'string') continue;
    const match = classPrefixes.find(([prefix]) => architecture.startsWith(prefix) && /^[A-Z]/.test(architecture.slice(prefix.length)));
    if (match) return match[1];
  }
  return undefined;
}
