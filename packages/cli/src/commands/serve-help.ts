export const serveHelp = `Usage: fillmask serve [options]

Serves one model over HTTP with the Hugging Face Inference API's fill-mask protocol, so that
@fillmask/backend-remote, @huggingface/inference (endpointUrl) or curl can call it:

  POST /  or  POST /models/<model id>
      {"inputs": "Paris is the <mask> of France.", "parameters": {"top_k": 5, "targets": [" capital"]}}
      answers what Python's pipeline("fill-mask") returns: a list of {score, token, token_str,
      sequence} for one mask, a list of such lists for several masks, a list of those for a list of
      inputs. Write the mask as [MASK] or <mask>, whatever the model: either is turned into its own
      mask token. Errors answer {"error": "..."}: 400 bad request, 401 token, 404 another model
      id, 405 another method, 413 body too large or more inputs than the queue holds, 503 busy or
      loading (with Retry-After), 504 timeout.
  GET /health     200 {"status": "ok"} when ready, else 503 (loading, failed, stopping)
  GET /info       {"model", "maskToken", "maxLength", "backend"}
  GET /metrics    Prometheus counters, batching included

Concurrent requests are batched: each forward pass takes waiting inputs of similar length, from
every request, and each request is answered once its own inputs are done.

Options:
  -m, --model <hub id | folder>   the model, as for fill (default: the bundled model)
  -b, --backend <name>            the backend: onnx (default), or remote, to front another service
      --endpoint-url <url>        the service the remote backend calls; implies -b remote
      --dtype <fp32|q8>           model weights: fp32 (default) or q8
      --revision <rev>            Hub branch, tag or commit (default main)
      --offline                   never use the network: only cached or local models
      --force-download            download the model's Hub files again, even when cached
      --model-id <id>             the id accepted in POST /models/<id> and reported by /info
                                  (default: the Hub id, or the folder's name)
  -p, --port <n>                  port to listen on (default 8080; 0 picks a free one)
      --host <address>            address to listen on (default 127.0.0.1; 0.0.0.0 for every
                                  interface, e.g. in a container)
      --batch-size <n>            most inputs per forward pass, as for fill (default 32)
      --batch-tokens <n>          most padded tokens per forward pass (rows times the longest;
                                  default 128 per thread, at least 256)
      --batch-window-ms <n>       with -b remote: how long a request waits for others to share
                                  its call to the service (default 2)
      --max-queue <n>             most inputs waiting; past it requests get 503 (default 1024)
      --max-body-bytes <n>        largest request body (default 1048576)
      --timeout-ms <n>            longest time to answer a request (default 60000)
      --auth-token-file <path>    require "Authorization: Bearer <token>", the token being the
                                  file's content (or set FILLMASK_AUTH_TOKEN); /health stays open
  -q, --quiet                     no access log
  -h, --help                      show this help

The access log goes to stdout, one JSON object per request (time, request id, method, path, status,
duration, sizes, number of inputs): never the inputs or the token. Messages go to stderr.

SIGINT or SIGTERM shut the server down gracefully: it stops accepting connections, answers every
request it has received, then exits with status 0. Exit status 1: the model failed to load or the
port is taken; 2: the command line is wrong.

Examples:
  fillmask serve -m distilbert/distilroberta-base --port 8080
  curl -s localhost:8080 -d '{"inputs": "Paris is the <mask> of France."}'
`;
