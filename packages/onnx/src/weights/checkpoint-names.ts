/**
 * The name transformers gives a checkpoint tensor when it loads it: TF-era checkpoints (BERT and its
 * ports) name LayerNorm parameters `gamma` and `beta`. This is transformers 4.x `_fix_key`, which
 * renamed bare `gamma`/`beta` too: every `beta` becomes `bias`; otherwise every `gamma` becomes
 * `weight`. (transformers 5 only renames `LayerNorm.gamma`/`.beta`; for those the two rules agree.)
 */
export function checkpointNameOnLoad(name: string): string {
  if (name.includes('beta')) return name.replaceAll('beta', 'bias');
  if (name.includes('gamma')) return name.replaceAll('gamma', 'weight');
  return name;
}
