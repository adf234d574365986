import { UnsupportedModelError, type ModelConfig } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import type { ModelWeights } from '../weights/model-weights.js';
import { buildMaskedLmGraph, supportedModelTypes } from './build-masked-lm-graph.js';
import { readFixtureCheckpoint, weightsOf } from './fixture-checkpoints.test-helper.js';

/** The error `build` throws, which must be an UnsupportedModelError. */
function unsupported(build: () => unknown): UnsupportedModelError {
  try {
    build();
  } catch (error) {
    if (UnsupportedModelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('built a graph where an UnsupportedModelError was expected');
}

function without(weights: ModelWeights, name: string): ModelWeights {
  return weightsOf(
    weights
      .names()
      .filter((other) => other !== name)
      .map((other) => weights.get(other)!),
  );
}

describe('buildMaskedLmGraph refuses what it cannot build, saying why', () => {
  const bert = readFixtureCheckpoint('bert');
  const build = (config: ModelConfig, weights: ModelWeights = bert.weights) =>
    unsupported(() => buildMaskedLmGraph(config, weights, { model: 'org/tiny' }));

  it('lists the model types it builds', () => {
    expect(supportedModelTypes).toEqual([
      'bert',
      'roberta',
      'xlm-roberta',
      'camembert',
      'distilbert',
      'albert',
      'electra',
      'deberta-v2',
      'modernbert',
    ]);
  });

  it('an unknown model_type, naming it and listing the supported ones', () => {
    const error = build({ ...bert.config, model_type: 'big_bird' });
    expect(error.model).toBe('org/tiny');
    expect(error.message).toContain('"big_bird"');
    expect(error.message).toContain(supportedModelTypes.join(', '));
    expect(error.message).toMatch(/An ONNX export of the model \(onnx\/model\.onnx, as Optimum writes it\) loads whatever its type\.$/);
  });

  it('a config.json without model_type, whose architectures name no known one', () => {
    expect(build({ ...bert.config, model_type: undefined, architectures: undefined }).message).toContain('has no model_type');
    expect(build({ ...bert.config, model_type: undefined, architectures: ['BigBirdForMaskedLM'] }).message).toContain('has no model_type');
  });

  it('a config.json without model_type, saved before transformers wrote one: built as its architectures say', () => {
    const built = buildMaskedLmGraph({ ...bert.config, model_type: undefined, architectures: ['BertForMaskedLM'] }, bert.weights);
    expect(built).toEqual(buildMaskedLmGraph(bert.config, bert.weights));
  });

  it('a property of Object.prototype given as the model_type', () => {
    expect(build({ ...bert.config, model_type: 'constructor' }).message).toContain('"constructor"');
  });

  it('a missing required config field, naming it', () => {
    expect(build({ ...bert.config, num_attention_heads: undefined }).message).toContain(
      'its bert graph cannot be built: config.json lacks num_attention_heads.',
    );
    expect(build({ ...bert.config, hidden_size: '32' }).message).toContain('config.json\'s hidden_size is "32"');
  });

  it('a missing weight, naming it', () => {
    const error = build(bert.config, without(bert.weights, 'bert.encoder.layer.1.attention.self.key.weight'));
    expect(error.message).toContain('bert.encoder.layer.1.attention.self.key.weight');
  });

  it('a checkpoint without the masked-LM head, pointing at the architecture config.json names', () => {
    const electra = readFixtureCheckpoint('electra');
    const discriminator = weightsOf(
      electra.weights
        .names()
        .filter((name) => !name.startsWith('generator_'))
        .map((name) => electra.weights.get(name)!),
    );
    expect(build({ ...electra.config, architectures: ['ElectraForPreTraining'] }, discriminator).message).toContain(
      'the checkpoint has no weight generator_predictions.dense.weight (config.json names ElectraForPreTraining: is it a checkpoint without a masked-LM head?)',
    );
  });

  it('a weight whose shape disagrees with config.json', () => {
    expect(build({ ...bert.config, intermediate_size: 48 }).message).toMatch(
      /bert\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[64, 32\] where config\.json implies \[48, 32\]/,
    );
  });

  it('a weight of a non-float type', () => {
    const words = bert.weights.get('bert.embeddings.word_embeddings.weight')!;
    const weights = weightsOf([
      ...bert.weights
        .names()
        .filter((name) => name !== words.name)
        .map((name) => bert.weights.get(name)!),
      { ...words, dtype: 'I32' },
    ]);
    expect(build(bert.config, weights).message).toContain('bert.embeddings.word_embeddings.weight is I32');
  });

  it('a weight whose bytes do not fill its shape (a truncated file)', () => {
    const words = bert.weights.get('bert.embeddings.word_embeddings.weight')!;
    const weights = weightsOf([
      ...bert.weights
        .names()
        .filter((name) => name !== words.name)
        .map((name) => bert.weights.get(name)!),
      { ...words, bytes: words.bytes.subarray(4) },
    ]);
    expect(build(bert.config, weights).message).toContain(
      'weight bert.embeddings.word_embeddings.weight holds 15356 bytes where F32 [120, 32] takes 15360.',
    );
  });

  it('relative position embeddings in BERT', () => {
    expect(build({ ...bert.config, position_embedding_type: 'relative_key' }).message).toContain(
      'position_embedding_type is "relative_key"; only "absolute"',
    );
  });

  it('an activation it does not know', () => {
    expect(build({ ...bert.config, hidden_act: 'mish' }).message).toContain('hidden_act is "mish"');
  });

  it('a hidden size that the heads do not divide', () => {
    expect(build({ ...bert.config, num_attention_heads: 3 }).message).toContain('not a multiple of num_attention_heads 3');
  });

  it("DeBERTa's attention types it does not know", () => {
    const deberta = readFixtureCheckpoint('deberta-v3');
    expect(build({ ...deberta.config, pos_att_type: ['c2p', 'p2p'] }, deberta.weights).message).toContain('pos_att_type holds p2p');
  });

  it('a ModernBERT rope other than the default', () => {
    const modernbert = readFixtureCheckpoint('modernbert');
    const config = {
      ...modernbert.config,
      rope_parameters: {
        full_attention: { rope_type: 'yarn', rope_theta: 160000 },
        sliding_attention: { rope_type: 'default', rope_theta: 10000 },
      },
    };
    expect(build(config, modernbert.weights).message).toContain('rope_type is "yarn"');
  });
});
