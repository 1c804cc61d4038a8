// Times `registrykit container-registry flavor list` against `node -e 0` in the same run and
// prints the ratio of the medians (target <= 2.5): the CLI's own start-up cost on top of Node's.
//
// The store holds a few registries, connectors and a custom flavor, as a user's would, so the
// store read and the flavor look-ups are measured too. The two commands alternate, after a
// warm-up, so neither always runs on a warmer file cache.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { printComparison, timed } from './report.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 21);
const WARMUP = 3;
const bin = join(dirname(createRequire(import.meta.url).resolve('@registrykit/cli/package.json')), 'dist', 'bin.js');
const configDir = await mkdtemp(join(tmpdir(), 'rk-bench-cli-'));
const env = { ...process.env, REGISTRYKIT_CONFIG_DIR: configDir, NO_COLOR: '1' };
const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { env });

try {
  for (let index = 0; index < 5; index++) {
    await cli('service-connector', 'register', `connector-${index}`, '--type', 'docker', '--username', 'ci', '--password', 'env:NO_COLOR', '--registry', `registry-${index}.example.com`, '--no-verify');
    await cli('container-registry', 'register', `registry-${index}`, '--flavor', 'default', '--uri', `registry-${index}.example.com/team`);
  }
  console.log(`${ROUNDS} rounds after ${WARMUP} warm-up rounds; Node ${process.version}; ${bin}`);
  const subject: number[] = [];
  const peer: number[] = [];
  for (let round = -WARMUP; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['subject', 'peer'] as const) : (['peer', 'subject'] as const);
    for (const side of order) {
      const { ms } = await timed(() => (side === 'subject' ? cli('container-registry', 'flavor', 'list') : run(process.execPath, ['-e', '0'], { env })));
      if (round >= 0) (side === 'subject' ? subject : peer).push(ms);
    }
  }
  printComparison({
    title: 'Start-up: registrykit container-registry flavor list vs node -e 0 (wall time, spawn to exit)',
    subject: 'registrykit',
    peer: 'node -e 0',
    subjectMs: subject,
    peerMs: peer,
    target: 2.5,
  });
} finally {
  await rm(configDir, { recursive: true, force: true });
}
