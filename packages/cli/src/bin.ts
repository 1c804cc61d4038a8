#!/usr/bin/env node
import module from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// Node 22.1+ can cache compiled modules on disk, which shortens every later start; older Nodes lack it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// Imported after the cache is on, so the CLI's own modules use it.
const { run } = await import('./main.js');

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // `registrykit … | head` closes the pipe early; that is not a failure.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  cliDirectory: dirname(fileURLToPath(import.meta.url)),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
});
