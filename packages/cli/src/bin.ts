import { runCli } from './run-cli.js';

// A reader that stops early (`fillmask -f big.txt --jsonl | head -n 1`) closes the pipe: end quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

process.exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
