import { describe, expect, it } from 'vitest';
import { inferModelType } from './infer-model-type.js';

describe('inferModelType', () => {
  it('takes model_type when the config has one', () => {
    expect(inferModelType({ model_type: 'roberta', architectures: ['BertForMaskedLM'] })).toBe('roberta');
  });

  it('falls back to what architectures names, longest class prefix first', () => {
    expect(inferModelType({ architectures: ['BertForMaskedLM'] })).toBe('bert');
    expect(inferModelType({ architectures: ['BertForPreTraining'] })).toBe('bert');
    expect(inferModelType({ architectures: ['XLMRobertaForMaskedLM'] })).toBe('xlm-roberta');
    expect(inferModelType({ architectures: ['RobertaForMaskedLM'] })).toBe('roberta');
    expect(inferModelType({ architectures: ['DebertaV2ForMaskedLM'] })).toBe('deberta-v2');
    expect(inferModelType({ architectures: ['DistilBertForMaskedLM'] })).toBe('distilbert');
  });

  it('is undefined when nothing tells, or the class is not one it knows', () => {
    expect(inferModelType({})).toBeUndefined();
    expect(inferModelType({ architectures: ['BigBirdForMaskedLM'] })).toBeUndefined();
    expect(inferModelType({ architectures: ['Bertology'] })).toBeUndefined();
    expect(inferModelType({ architectures: [42] } as never)).toBeUndefined();
  });
});
