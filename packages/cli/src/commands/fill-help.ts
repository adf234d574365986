/** The options of `fill`, after the usage line: also the body of `fillmask --help`, fill being the default command. */
export const fillHelpBody = `Ranks the words that fit each mask of TEXT. Write the mask as [MASK] or <mask>: either is turned
into the model's own mask token. Each TEXT argument is one input.

Options:
  -m, --model <hub id | folder>   the model: a Hugging Face Hub id, org/name (downloaded once into the
                                  HF cache), or a local folder in the Hub layout (a value that exists
                                  or looks like a path, ./my-model, is one). Default: @fillmask/model-mini-en,
                                  a small English model trained by the project, installed with the
                                  CLI, so it works offline (a demonstration: mostly frequent words)
  -b, --backend <name>            the backend: onnx (default), or remote, a service that fills masks
                                  (the hosted Inference API, or the --endpoint-url one)
      --endpoint-url <url>        the service the remote backend calls, such as a fillmask serve
                                  (http://127.0.0.1:8080) or an Inference Endpoint; implies -b remote
      --dtype <fp32|q8>           model weights: fp32 (onnx/model.onnx, default) or q8
                                  (onnx/model_quantized.onnx)
  -k, --top-k <n>                 candidates per mask (default 5)
  -t, --targets <a,b,...>         rank only these tokens (comma-separated)
      --truncation                cut inputs longer than the model's limit around the masks, instead
                                  of failing
  -f, --input-file <path|->       read inputs from a file, one per line (- for standard input);
                                  blank lines are skipped
      --json                      print one JSON value: for one input what Python's
                                  pipeline("fill-mask") returns (a list of {score, token, token_str,
                                  sequence} for one mask, a list of such lists for several masks);
                                  for several inputs an array of those; an input that fails has
                                  {"error": "..."} in its place, and the exit status is 1
      --jsonl                     print one such JSON value per input, in order, as each window
                                  of lines read ahead is done (2048, fewer when lines come slowly);
                                  an input that fails prints {"error": "..."} and the rest go on
      --batch-size <n>            most inputs per forward pass (default 32; batching does not
                                  change results beyond float rounding, q8 included)
      --batch-tokens <n>          most padded tokens per forward pass (rows times the longest;
                                  default 128 per thread, at least 256): inputs are sorted by
                                  length and cut by it
      --revision <rev>            Hub branch, tag or commit (default main)
      --offline                   never use the network: only cached or local models
      --force-download            download the model's Hub files again, even when cached
  -q, --quiet                     no progress on stderr (downloads, and a progress bar for
                                  --input-file; either shows only on a terminal)
  -h, --help                      show this help
  -v, --version                   show the version

Environment: HF_TOKEN (gated or private models), HF_HOME / HF_HUB_CACHE (cache location),
HF_HUB_OFFLINE=1 (same as --offline), HF_ENDPOINT (another Hub), HF_HUB_ETAG_TIMEOUT and
HF_HUB_DOWNLOAD_TIMEOUT (seconds the Hub may take to answer, default 10), FILLMASK_CACHE (where
the graphs fillmask builds and prepares are kept, default ~/.cache/fillmask). fillmask cache lists,
verifies and prunes the Hub cache.

Exit status: 0 when every input was filled, 1 when an input or the model failed (the message is on
stderr; with --json and --jsonl, in the output, after all other inputs ran), 2 when the command
line is wrong.

Examples:
  fillmask "Paris is the <mask> of France."
  fillmask -m distilbert/distilroberta-base -k 3 --json "The goal of life is [MASK]."
  fillmask -t " cat, dog" "I love my <mask>."
  fillmask -f sentences.txt --jsonl > predictions.jsonl
  fillmask --endpoint-url http://127.0.0.1:8080 "Paris is the <mask> of France."
`;

export const fillHelp = `Usage: fillmask [fill] [options] [TEXT ...]\n\n${fillHelpBody}`;
