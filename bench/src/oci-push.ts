// Pushes the same 1 GiB OCI layout (4 gzip layers of random data) to a fresh repository of a
// fresh local registry with registrykit's daemonless pusher and with `skopeo copy oci:… docker://…`,
// and prints the ratios: wall time (target <= 0.8 of skopeo's), the pusher's peak RSS (target
// <= 150 MiB, and flat when the layer size doubles), and an in-process re-push when every blob
// is already there (target <= 100 ms).
//
// Each push goes to its own registry, so neither side can reuse or mount blobs pushed before;
// the order alternates between rounds. The library push runs in a child process, timed from
// the outside like skopeo, start-up included. Making the layouts is not timed.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createOciPusher } from '@registrykit/oci';
import { createTestOciLayout, startRegistry, type TestOciLayout } from '@registrykit/testing';
import { median, printComparison, printTarget, timed } from './report.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const LAYERS = 4;
const LAYER_MIB = Number(process.env['BENCH_LAYER_MIB'] ?? 256);
const REPUSHES = 20;
const child = fileURLToPath(new URL('./oci-push-child.js', import.meta.url));

interface ChildResult {
  readonly digest: string;
  readonly ms: number;
  readonly maxRssMiB: number;
}

async function libraryPush(layout: TestOciLayout, registry: string, tag: string): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [child, layout.source, registry, 'bench/app', tag]);
  return JSON.parse(stdout) as ChildResult;
}

async function skopeoPush(layout: TestOciLayout, registry: string, tag: string): Promise<void> {
  await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', layout.source, `docker://${registry}/bench/app:${tag}`]);
}

async function digestIn(registry: string, tag: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry}/bench/app:${tag}`]);
  return stdout.trim();
}

console.log(`Image: ${LAYERS} gzip layers of ${LAYER_MIB} MiB random data; ${ROUNDS} rounds; each push to a fresh registry`);
const layout = await createTestOciLayout({ tag: 'bench', layers: LAYERS, layerBytes: LAYER_MIB * 1024 * 1024, gzipLevel: 1 });
const half = await createTestOciLayout({ tag: 'half', layers: LAYERS, layerBytes: (LAYER_MIB / 2) * 1024 * 1024, gzipLevel: 1 });
try {
  const library: number[] = [];
  const peer: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['library', 'skopeo'] as const) : (['skopeo', 'library'] as const);
    for (const side of order) {
      await using registry = await startRegistry();
      const tag = `${side}-${round}`;
      if (side === 'library') {
        const { ms, value } = await timed(() => libraryPush(layout, registry.host, tag));
        library.push(ms);
        rss.push(value.maxRssMiB);
      } else {
        peer.push((await timed(() => skopeoPush(layout, registry.host, tag))).ms);
      }
      const digest = await digestIn(registry.host, tag);
      if (digest !== layout.manifestDigest) throw new Error(`${side} pushed ${digest}, not the layout's ${layout.manifestDigest}`);
    }
  }
  const results = [printComparison({ title: `Daemonless push of ${(layout.sizeBytes / 2 ** 30).toFixed(2)} GiB from an OCI layout`, subject: 'registrykit', peer: 'skopeo copy', subjectMs: library, peerMs: peer, target: 0.8 })];

  console.log('\nPeak RSS of the library push (child process, maxRSS)');
  const halfRss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await using registry = await startRegistry();
    halfRss.push((await libraryPush(half, registry.host, `half-${round}`)).maxRssMiB);
  }
  console.log(`  rounds (${LAYER_MIB} MiB layers): ${rss.map((value) => value.toFixed(0)).join('  ')} MiB`);
  console.log(`  rounds (${LAYER_MIB / 2} MiB layers): ${halfRss.map((value) => value.toFixed(0)).join('  ')} MiB`);
  results.push(printTarget(`median peak RSS, ${LAYER_MIB} MiB layers`, median(rss), 'MiB', 150));
  const growth = median(rss) / median(halfRss);
  console.log(`  ratio when the layer size doubles (${LAYER_MIB / 2} → ${LAYER_MIB} MiB): ${growth.toFixed(3)} (flat is ~1.0; target <= 1.1: ${growth <= 1.1 ? 'met' : 'NOT met'})`);
  results.push(growth <= 1.1);

  console.log('\nRe-push when every blob is already in the registry (in-process)');
  {
    await using registry = await startRegistry();
    const target = { image: { registry: registry.host, repository: 'bench/app', tag: 'again' }, credentials: undefined, source: layout.source };
    const cold = createOciPusher();
    await cold.push(target);
    cold.client.close();
    const fresh = createOciPusher();
    const first = await timed(() => fresh.push(target));
    const warm: number[] = [];
    for (let index = 0; index < REPUSHES; index++) warm.push((await timed(() => fresh.push(target))).ms);
    fresh.client.close();
    console.log(`  first re-push with a new pusher (ping, connections): ${first.ms.toFixed(1)} ms`);
    console.log(`  ${REPUSHES} re-pushes with the same pusher: ${warm.map((ms) => ms.toFixed(1)).join('  ')} ms`);
    results.push(printTarget('median re-push', median(warm), 'ms', 100));
  }
  console.log(`\n${results.filter(Boolean).length} of ${results.length} targets met.`);
} finally {
  await layout.remove();
  await half.remove();
}
