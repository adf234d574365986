export const cacheHelp = `Usage: fillmask cache <list|verify|prune> [options] [MODEL ...]

Looks after the Hugging Face Hub cache that fillmask shares with Python's huggingface_hub
(models--<org>--<name>/blobs, snapshots/<commit>, refs/<branch>; hf cache sees the same).

  list     each cached model: its size on disk, its revisions (commit, the branches or tags that
           point to it, files, size), and partial downloads
  verify   hashes every blob against what the Hub announced (an LFS file's SHA-256, a regular
           file's git blob SHA-1, which name the blobs): damaged blobs and broken links are
           listed, and with --fix removed and downloaded again (the next run downloads what
           could not be)
  prune    removes partial downloads no process is writing, revisions no branch or tag points to
           any more, the blobs only they used, and abandoned locks

Give MODEL ids (org/name) to look at those only; default every cached model.

Options:
      --cache-dir <dir>           the cache (default $HF_HUB_CACHE, else $HF_HOME/hub, else
                                  ~/.cache/huggingface/hub)
      --fix                       verify: remove damaged blobs, and download them again
      --offline                   verify --fix: remove only, download nothing
      --dry-run                   prune: say what would be removed, remove nothing
      --json                      print the result as JSON
  -h, --help                      show this help

Exit status: 0 done (verify: every blob is sound, or was repaired), 1 verify found damage it did not
repair, or the cache could not be read; 2 the command line is wrong.

Examples:
  fillmask cache list
  fillmask cache verify --fix
  fillmask cache prune --dry-run
`;
