export const scoreHelp = `Usage: fillmask score [options] [TEXT ...]

Scores how well each TEXT fits the masked language model: its pseudo-log-likelihood (PLL, Salazar
et al. 2020: each token masked in turn, PLL = the sum of log P(token | the rest), natural log) and
its pseudo-perplexity, PPPL = exp(-PLL / tokens). Lower PPPL: the text is more typical for the model.
Special tokens ([CLS], [SEP], [UNK], masks) are not scored; a mask, written [MASK] or <mask>
whatever the model, is context the model does not see. The last row (or JSON line) sums the
corpus: PPPL = exp(-sum of PLL / sum of tokens).

Options:
  -m, --model <hub id | folder>   the model (default: the model bundled with the CLI)
  -b, --backend <name>            a model backend (default onnx)
      --dtype <fp32|q8>           model weights (default fp32)
  -f, --input-file <path|->       read texts from a file, one per line (- for standard input);
                                  blank lines are skipped
      --mode <token|word-l2r>     token (default): each token masked alone; word-l2r (Kauf &
                                  Ivanova 2023): also mask the later sub-tokens of the same word,
                                  so a word split in pieces is not predicted from its own pieces
      --per-token                 also give each token's log-probability
      --truncation                score only the first window of texts longer than the model's
                                  limit, instead of failing
      --jsonl                     one JSON line per text, in order, {"pll", "tokens", "pppl"} (with
                                  --per-token, "perToken": [{"token", "id", "position",
                                  "logProbability"}]), then {"summary": {"pll", "tokens", "pppl",
                                  "texts"}}; a text that fails prints {"error": "..."} and the rest
                                  go on
      --batch-size <n>            most masked copies per forward pass (default 32)
      --batch-tokens <n>          most padded tokens per forward pass (rows times the longest;
                                  default 128 per thread, at least 256): copies are sorted by
                                  length and cut by it
      --revision <rev>            Hub branch, tag or commit (default main)
      --offline                   never use the network: only cached or local models
      --force-download            download the model's Hub files again, even when cached
  -q, --quiet                     no progress bar on stderr (it shows only on a terminal)
  -h, --help                      show this help

Exit status: 0 when every text was scored, 1 when a text or the model failed, 2 for a wrong command line.

Examples:
  fillmask score "She opened the door and walked in." "She opened the walked and door in."
  fillmask score -f corpus.txt --jsonl | tail -n 1
  fillmask score -m ./my-model --mode word-l2r --per-token --jsonl "Tokenization matters."
`;
