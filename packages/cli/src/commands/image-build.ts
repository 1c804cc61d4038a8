import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import type { BuildProgressEvent, BuildResult } from '@registrykit/docker';
import { booleanOption, stringOption, UsageError } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import type { Output } from '../output.js';
import { ociClientOptions } from '../oci-client-options.js';
import { createPushProgress, type PushProgress } from '../push-progress.js';
import { openRegistry } from '../registries/open-registry.js';
import { requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'image build',
  description:
    'Builds an image from a build context with the Docker engine (DOCKER_HOST, else /var/run/docker.sock) and pushes it to a registered ' +
    'container registry as <uri>/<repository>:<tag> and <uri>/<repository>:checksum-<sha256>. The checksum covers the settings, the ' +
    'Dockerfile, the context files after .dockerignore and the base images\' digests: when the registry already has it, nothing is built ' +
    'or pushed. Without --settings, the context\'s own Dockerfile is used. Prints the immutable reference (repo@sha256:…).',
  positionals: [{ name: 'context', description: 'The build context directory; its .dockerignore is honoured.' }],
  options: {
    registry: { type: 'string', short: 'r', valueName: '<name>', description: 'The container registry to push to.' },
    name: {
      type: 'string',
      short: 'n',
      valueName: '<repository[:tag]>',
      description: "The repository under the registry uri, with a tag if you like; default: the settings' repository, else the registry's defaultRepository, tagged with the time.",
    },
    settings: {
      type: 'string',
      short: 's',
      valueName: '<file>',
      description: 'DockerSettings as JSON (parentImage, dockerfile, requirements, aptPackages, environment, buildArgs, labels, user, platform…); paths in it are relative to the file.',
    },
    'print-dockerfile': { type: 'boolean', description: 'Print the Dockerfile the build would use, and stop.' },
    reuse: { type: 'boolean', description: 'Reuse an image the registry already has with the same checksum (default); --no-reuse builds and pushes anyway.' },
    root: { type: 'string', valueName: '<dir>', description: 'The directory no path of the build may leave; default: the working directory.' },
    json: { type: 'boolean', description: 'Print the result as JSON: image, checksumImage, checksum, digest, reference, reused.' },
  },
  examples: [
    'registrykit image build . --registry local --name team/app',
    'registrykit image build ./app --registry ecr --name pipelines:train --settings docker-settings.json',
    'registrykit image build ./app --registry local --settings docker-settings.json --print-dockerfile',
  ],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store, env, cwd } = context;
  const registryName = stringOption(args, 'registry');
  if (registryName === undefined) throw new UsageError('--registry is required: the registered container registry to push to.', spec.path);
  const buildContext = resolve(cwd, args.positionals[0]!);
  const root = resolve(cwd, stringOption(args, 'root') ?? '.');
  const settingsFile = stringOption(args, 'settings');
  const settings = await settingsFor(buildContext, settingsFile === undefined ? undefined : resolve(cwd, settingsFile));
  const where = { root, baseDirectory: settingsFile === undefined ? cwd : dirname(resolve(cwd, settingsFile)), subject: settingsFile ? `the Docker settings in ${settingsFile}` : 'the Docker settings' };

  const docker = await import('@registrykit/docker');
  if (booleanOption(args, 'print-dockerfile')) {
    out.print((await docker.renderDockerfile(settings, where)).replace(/\n$/, ''));
    return;
  }

  const document = await store.read();
  const record = requireRegistry(document, registryName);
  const { createOciClient } = await import('@registrykit/oci');
  const registryApi = createOciClient(ociClientOptions(env));
  const registry = await openRegistry(record, document, context, { registryApi });
  const builder = docker.createDockerImageBuilder({ dockerHost: env['DOCKER_HOST'], registryApi, env });
  const progress = createBuildProgress(out);
  let result: BuildResult;
  try {
    result = await builder.build({ registry, settings, ...where, ...nameOption(stringOption(args, 'name')), reuse: booleanOption(args, 'reuse', true), onProgress: progress.update });
  } finally {
    progress.finish();
  }
  const { dockerfile: _dockerfile, ...summary } = result;
  if (args.options['json'] === true) return out.json({ ...summary, registry: record.name });
  out.print(`${out.style.green(result.reused ? 'Reused' : 'Built and pushed')} ${result.reused ? result.checksumImage : result.image}`);
  out.fields([
    ['checksum', result.checksum],
    ['digest', result.digest],
    ['reference', result.reference],
  ]);
}

/**
 * The settings: the file's, with the context argument as `buildContextRoot`. Without settings
 * naming a Dockerfile or a parent image, the context's own Dockerfile is used, as `docker build` does.
 */
async function settingsFor(buildContext: string, settingsFile: string | undefined): Promise<Record<string, unknown>> {
  const fromFile = settingsFile === undefined ? {} : await readSettingsFile(settingsFile);
  const settings: Record<string, unknown> = { ...fromFile, buildContextRoot: buildContext };
  if (settings['dockerfile'] === undefined && settings['parentImage'] === undefined) {
    const dockerfile = join(buildContext, 'Dockerfile');
    if (await access(dockerfile).then(() => true, () => false)) settings['dockerfile'] = dockerfile;
  }
  return settings;
}

async function readSettingsFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Cannot read the settings file ${path}: ${(error as Error).message}`, { cause: error, details: { field: 'settings' } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RegistryKitError('INVALID_CONFIG', `The settings file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error, details: { field: 'settings' } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryKitError('INVALID_CONFIG', `The settings file ${path} must hold a JSON object of DockerSettings, e.g. {"parentImage": "python:3.12-slim"}.`, { details: { field: 'settings' } });
  }
  return parsed as Record<string, unknown>;
}

/** `team/app:1.2` → repository and tag; `team/app` → the repository alone. */
function nameOption(name: string | undefined): { repository?: string; tag?: string } {
  if (name === undefined) return {};
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repository: name.slice(0, colon), tag: name.slice(colon + 1) } : { repository: name };
}

/** Shows a build on stderr: the checksum, each step and its output, then each push. */
function createBuildProgress(out: Output): { update: (event: BuildProgressEvent) => void; finish(): void } {
  let push: { image: string; progress: PushProgress } | undefined;
  const interactive = out.streams.stderr.isTTY === true;
  return {
    update(event) {
      switch (event.type) {
        case 'checksum':
          return out.note(`Checksum ${event.checksum} of ${event.files} files (${event.bytes} bytes)`);
        case 'reused':
          return out.note(`The registry already has ${event.image}: nothing to build or push.`);
        case 'cached':
          return out.note(`The engine already has ${event.image}: pushing it without building.`);
        case 'step':
          return out.note(out.errorStyle.bold(`Step ${event.step}/${event.steps} : ${event.instruction}`));
        case 'output':
          return out.note(event.text);
        case 'pull':
          return out.note(event.layer ? `${event.layer}: ${event.message}` : event.message);
        case 'built':
          return out.note(`Built ${event.imageId}`);
        case 'push':
          if (push?.image !== event.image) {
            push?.progress.finish();
            push = { image: event.image, progress: createPushProgress(out, event.image, interactive) };
          }
          return push.progress.update(event.event);
        case 'pushed':
          push?.progress.finish();
          push = undefined;
          return out.note(`Pushed ${event.image}`);
      }
    },
    finish() {
      push?.progress.finish();
    },
  };
}
