export const evalHelp = `Usage: fillmask eval [options] [TEXT ...]

Cloze accuracy: in each sentence one word, drawn at random (seeded), is replaced by the mask, and
the model's top-1 and top-5 predictions are compared with it. Only words that are a single token in
their sentence are drawn: masking the word must turn exactly one token of the encoded sentence into
the mask (the model predicts one token per mask, so a word the tokenizer splits into pieces could
not be matched by one prediction). A sentence without such a word is skipped and counted. A word is a run of non-space characters without its leading and trailing punctuation, with
at least one letter. The same seed draws the same words, whatever the model, so models are compared
on the same questions when they share a tokenizer. A sentence longer than the model's limit keeps
a window of that length around its mask. A mask already in a sentence, written [MASK] or <mask>
whatever the model, stays a mask: a word the model does not see, never the one asked for.

Options:
  -m, --model <hub id | folder>   the model (default: the model bundled with the CLI)
  -b, --backend <name>            the backend: onnx (default), or remote (a service, see fill --help)
      --endpoint-url <url>        the service the remote backend calls; implies -b remote (the
                                  tokenizer still comes from --model, to draw the words)
      --dtype <fp32|q8>           model weights (default fp32)
  -f, --input-file <path|->       read sentences from a file, one per line (- for standard input);
                                  blank lines are skipped
      --seed <n>                  seed of the word draws (default 0)
      --jsonl                     one JSON line per sentence, in order: {"text", "masked", "word",
                                  "predictions" (top 5), "top1", "top5"} or {"text", "skipped"};
                                  then {"summary": {"sentences", "evaluated", "skipped", "top1",
                                  "top5", "seed"}} with top1 and top5 as hit rates over the evaluated
      --batch-size <n>            most sentences per forward pass (default 32)
      --batch-tokens <n>          most padded tokens per forward pass (rows times the longest;
                                  default 128 per thread, at least 256): sentences are sorted by
                                  length and cut by it
      --revision <rev>            Hub branch, tag or commit (default main)
      --offline                   never use the network: only cached or local models
      --force-download            download the model's Hub files again, even when cached
  -q, --quiet                     no progress bar on stderr (it shows only on a terminal)
  -h, --help                      show this help

Exit status: 0 when done, 1 when the model or an input failed, 2 for a wrong command line.

Examples:
  fillmask eval -f sentences.txt
  fillmask eval -m ./my-model --seed 7 --jsonl -f sentences.txt | tail -n 1
`;
