import { canonicalRegistryHost, type ImagePusher, parseImageReference, parseRegistryUri, RegistryKitError } from '@registrykit/core';
import { stringOption } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { ociClientOptions } from '../oci-client-options.js';
import { createPushProgress } from '../push-progress.js';
import { openRegistry } from '../registries/open-registry.js';
import { requireRegistry } from '../store/records.js';
import type { RegistryRecord, StoreDocument } from '../store/store-document.js';

export const spec: CommandModule['spec'] = {
  path: 'image push',
  description:
    'Pushes an image to a registered container registry with its credentials (its service connector, its flavor, or the docker config). ' +
    'A local image goes through the Docker engine (DOCKER_HOST, else /var/run/docker.sock); an OCI image layout (--source oci:<dir>[:<tag>]) ' +
    'or a `docker save` archive (--source docker-archive:<path>) is pushed without a daemon, over the registry API. The registry is the one ' +
    'whose uri the image name starts with, or the one given with --registry. Prints the immutable reference (repo@sha256:…).',
  positionals: [{ name: 'image', description: 'The image to push, under the registry uri, e.g. localhost:5000/team/app:1.0.' }],
  options: {
    registry: { type: 'string', short: 'r', valueName: '<name>', description: 'The container registry to push through; default: the one the image name belongs to.' },
    source: {
      type: 'string',
      valueName: '<image|oci:dir|docker-archive:path>',
      description: 'What to push: a local image to tag as <image> first (app:dev), or, without a daemon, oci:<dir>[:<tag>] or docker-archive:<path>.',
    },
    json: { type: 'boolean', description: 'Print the result as JSON: image, digest, reference, size.' },
  },
  examples: ['registrykit image push localhost:5000/team/app:1.0', 'registrykit image push localhost:5000/team/app:1.0 --source app:dev --registry local --json'],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store, env } = context;
  const image = args.positionals[0]!;
  const document = await store.read();
  const registryName = stringOption(args, 'registry');
  const record = registryName === undefined ? registryForImage(image, document) : requireRegistry(document, registryName);
  const source = stringOption(args, 'source');
  const pusher = await pusherFor(source, env);
  const registry = await openRegistry(record, document, context, { pusher });
  out.debug(`pushing ${image} through "${record.name}" (${record.flavor}, ${registry.uri}) with ${pusher.name}`);
  const progress = createPushProgress(out, image, out.streams.stderr.isTTY === true);
  let result;
  try {
    result = await registry.pushImage(image, { source, onProgress: progress.update });
  } finally {
    progress.finish();
  }
  if (args.options['json'] === true) return out.json({ ...result, registry: record.name });
  out.print(`${out.style.green('Pushed')} ${result.image}`);
  out.fields([
    ['digest', result.digest],
    ['reference', result.reference],
  ]);
}

/** The Docker engine for local images; the daemonless OCI pusher for layouts and archives (uncompressed archive layers are gzipped). */
async function pusherFor(source: string | undefined, env: NodeJS.ProcessEnv): Promise<ImagePusher> {
  if (source !== undefined && /^(oci|docker-archive):/.test(source)) {
    const { createOciPusher } = await import('@registrykit/oci');
    return createOciPusher({ clientOptions: ociClientOptions(env), compressLayers: source.startsWith('docker-archive:') });
  }
  const { createDockerPusher } = await import('@registrykit/docker');
  return createDockerPusher({ dockerHost: env['DOCKER_HOST'] });
}

/** The registry whose uri the image name is under; the most specific uri wins. */
function registryForImage(image: string, document: StoreDocument): RegistryRecord {
  const reference = parseImageReference(image);
  const host = canonicalRegistryHost(reference.registry);
  let best: RegistryRecord[] = [];
  let bestLength = -1;
  for (const record of Object.values(document.registries)) {
    const uri = parseRegistryUri(String(record.config['uri'] ?? ''));
    const inside = uri.namespace === '' || reference.repository === uri.namespace || reference.repository.startsWith(`${uri.namespace}/`);
    if (uri.host !== host || !inside) continue;
    if (uri.namespace.length > bestLength) [best, bestLength] = [[record], uri.namespace.length];
    else if (uri.namespace.length === bestLength) best.push(record);
  }
  if (best.length === 1) return best[0]!;
  if (best.length > 1) {
    throw new RegistryKitError('INVALID_ARGUMENT', `"${image}" belongs to several container registries (${best.map((record) => record.name).join(', ')}): choose one with --registry.`, {
      details: { image, registries: best.map((record) => record.name) },
    });
  }
  const known = Object.values(document.registries).map((record) => `${record.name} (${String(record.config['uri'])})`);
  throw new RegistryKitError(
    'NOT_FOUND',
    `No registered container registry holds "${image}": its name must start with a registry's uri. ` +
      (known.length ? `Registries: ${known.join(', ')}.` : 'None is registered yet: `registrykit container-registry register <name> --flavor default --uri <uri>`.'),
    { details: { image } },
  );
}
