#!/usr/bin/env python3
"""Tiny seeded masked-LM checkpoints for the graph builder's tests, from transformers' own
XForMaskedLM classes, with torch's logits on a few fixed inputs.

Each <arch>/ holds what a weights-only Hub repository publishes, config.json + model.safetensors
(save_pretrained), and expected.json: the input id sequences and torch's float32 logits for each
alone and for the two of them in one right-padded batch (real positions only). The vocabulary is
small (no tokenizer is needed: the inputs are ids), hidden 32, 2-4 layers.

usage (Python with torch, transformers, safetensors):
    python make_fixtures.py [--out DIR]      # DIR defaults to this script's folder
"""
import argparse
import json
import os

import torch

SEED = 1234
VOCAB = 120
SMALL = dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
             hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, initializer_range=0.2)


def fixtures():
    """arch -> (model class, config class, config kwargs, pad id, takes token types)."""
    return {
        'bert': ('BertForMaskedLM', 'BertConfig', dict(**SMALL, max_position_embeddings=40, type_vocab_size=2, pad_token_id=0), 0, True),
        # An untied decoder and the tanh approximation of gelu.
        'bert-untied': ('BertForMaskedLM', 'BertConfig', dict(**SMALL, max_position_embeddings=40, type_vocab_size=2, pad_token_id=0,
                                                              hidden_act='gelu_new', tie_word_embeddings=False), 0, True),
        'roberta': ('RobertaForMaskedLM', 'RobertaConfig', dict(**SMALL, max_position_embeddings=42, type_vocab_size=1, pad_token_id=1,
                                                                bos_token_id=0, eos_token_id=2), 1, False),
        'xlm-roberta': ('XLMRobertaForMaskedLM', 'XLMRobertaConfig', dict(**SMALL, max_position_embeddings=42, type_vocab_size=1, pad_token_id=1,
                                                                          bos_token_id=0, eos_token_id=2, hidden_act='gelu_pytorch_tanh'), 1, False),
        'camembert': ('CamembertForMaskedLM', 'CamembertConfig', dict(**SMALL, max_position_embeddings=42, type_vocab_size=1, pad_token_id=1,
                                                                      bos_token_id=5, eos_token_id=6), 1, False),
        'distilbert': ('DistilBertForMaskedLM', 'DistilBertConfig', dict(vocab_size=VOCAB, dim=32, n_layers=2, n_heads=2, hidden_dim=64, dropout=0.0,
                                                                         attention_dropout=0.0, max_position_embeddings=40, pad_token_id=0,
                                                                         initializer_range=0.2), 0, False),
        # Four layers over two groups of shared weights (layers 0-1 share group 0, 2-3 group 1).
        'albert': ('AlbertForMaskedLM', 'AlbertConfig', dict(**{**SMALL, 'num_hidden_layers': 4}, embedding_size=16, num_hidden_groups=2,
                                                             max_position_embeddings=40, type_vocab_size=2, pad_token_id=0, bos_token_id=2,
                                                             eos_token_id=3), 0, True),
        # The generator's embeddings (16) are narrower than its encoder (32): embeddings_project.
        'electra': ('ElectraForMaskedLM', 'ElectraConfig', dict(**SMALL, embedding_size=16, max_position_embeddings=40, type_vocab_size=2,
                                                               pad_token_id=0, hidden_act='relu'), 0, True),
        # DeBERTa-v3's shape: log-bucketed relative positions (8 buckets: the 12-token input reaches the
        # logarithmic ones), shared key projections, normalized relative embeddings, no absolute
        # positions, no token types, and the non-legacy head.
        'deberta-v3': ('DebertaV2ForMaskedLM', 'DebertaV2Config', dict(**SMALL, max_position_embeddings=40, type_vocab_size=0, relative_attention=True,
                                                                      position_buckets=8, norm_rel_ebd='layer_norm', share_att_key=True,
                                                                      pos_att_type=['p2c', 'c2p'], position_biased_input=False,
                                                                      max_relative_positions=-1, pad_token_id=0, legacy=False), 0, False),
        # DeBERTa-v2-xlarge's shape: unbucketed relative positions clamped at 8, separate positional
        # projections, absolute positions and token types too, narrower embeddings (embed_proj), the
        # convolution after the first layer, and the legacy head.
        'deberta-v2': ('DebertaV2ForMaskedLM', 'DebertaV2Config', dict(**SMALL, max_position_embeddings=40, type_vocab_size=2, relative_attention=True,
                                                                      position_buckets=-1, max_relative_positions=8, share_att_key=False,
                                                                      pos_att_type='c2p|p2c', position_biased_input=True, embedding_size=16,
                                                                      conv_kernel_size=3, pad_token_id=0), 0, True),
        # Global, sliding-window (4 tokens either side: the 12-token input reaches past it) and global
        # layers, each kind with its rope base.
        'modernbert': ('ModernBertForMaskedLM', 'ModernBertConfig', dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                                                                        intermediate_size=48, max_position_embeddings=40, local_attention=8,
                                                                        layer_types=['full_attention', 'sliding_attention', 'full_attention'],
                                                                        initializer_range=0.2, pad_token_id=0, bos_token_id=5, eos_token_id=6,
                                                                        cls_token_id=5, sep_token_id=6), 0, False),
    }


# Two inputs of different lengths (no padding id inside), so the batch pads the first.
INPUTS = [
    [3, 17, 42, 9, 33, 88, 4],
    [3, 51, 7, 64, 23, 99, 12, 45, 8, 71, 30, 4],
]
# Token types of the second input (a sentence pair) for the models that take them.
PAIR_TYPES = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]


def logits_of(model, rows, types, pad_id, takes_types):
    length = max(len(row) for row in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    token_types = torch.zeros((len(rows), length), dtype=torch.long)
    for index, row in enumerate(rows):
        ids[index, :len(row)] = torch.tensor(row)
        mask[index, :len(row)] = 1
        token_types[index, :len(row)] = torch.tensor(types[index])
    feeds = dict(input_ids=ids, attention_mask=mask)
    if takes_types:
        feeds['token_type_ids'] = token_types
    with torch.no_grad():
        out = model(**feeds).logits.float()
    return [out[index, :len(row)].tolist() for index, row in enumerate(rows)]


def rounded(rows):
    return [[[round(value, 6) for value in position] for position in row] for row in rows]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    torch.set_num_threads(1)
    import transformers
    for arch, (model_class, config_class, kwargs, pad_id, takes_types) in fixtures().items():
        config = getattr(transformers, config_class)(**kwargs)
        config.architectures = [model_class]
        torch.manual_seed(SEED)
        model = getattr(transformers, model_class)(config).eval()
        folder = os.path.join(args.out, arch)
        model.save_pretrained(folder, safe_serialization=True)
        types = [[0] * len(INPUTS[0]), PAIR_TYPES if takes_types else [0] * len(INPUTS[1])]
        singles = [logits_of(model, [row], [row_types], pad_id, takes_types)[0] for row, row_types in zip(INPUTS, types)]
        batch = logits_of(model, INPUTS, types, pad_id, takes_types)
        expected = dict(
            model_class=model_class,
            transformers=transformers.__version__,
            torch=torch.__version__,
            pad_token_id=pad_id,
            inputs=[dict(input_ids=row, token_type_ids=row_types) for row, row_types in zip(INPUTS, types)],
            takes_token_types=takes_types,
            single=rounded(singles),
            padded_batch=rounded(batch),
        )
        with open(os.path.join(folder, 'expected.json'), 'w') as handle:
            json.dump(expected, handle, separators=(',', ':'))
            handle.write('\n')
        spread = torch.tensor(singles[1]).std().item()
        print(f'{arch:12s} {model_class:24s} logit std {spread:.2f}', flush=True)


if __name__ == '__main__':
    main()
