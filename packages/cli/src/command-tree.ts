import type { CommandModule } from './command.js';

/** A command: a one-line summary for its group's help, and its module, imported only when it runs. */
export interface CommandLeaf {
  readonly summary: string;
  load(): Promise<CommandModule>;
}

export interface CommandGroup {
  readonly summary: string;
  readonly children: Readonly<Record<string, CommandNode>>;
}

export type CommandNode = CommandLeaf | CommandGroup;

export function isGroup(node: CommandNode): node is CommandGroup {
  return 'children' in node;
}

// Each command is its own module, so `registrykit container-registry flavor list` loads the list
// code and nothing else: no Docker client, no registry client, no flavor package.
export const COMMANDS: CommandGroup = {
  summary: 'Manage container registries, service connectors and flavors, and build and push images.',
  children: {
    'container-registry': {
      summary: 'Register, inspect and connect container registries, and manage their flavors.',
      children: {
        flavor: {
          summary: 'List, describe, register and delete container registry flavors.',
          children: {
            list: { summary: 'List the built-in and custom flavors, and which are installed.', load: () => import('./commands/flavor-list.js') },
            describe: { summary: "Show a flavor's configuration options and connector types.", load: () => import('./commands/flavor-describe.js') },
            register: { summary: 'Register a custom flavor from a module path or an installed package.', load: () => import('./commands/flavor-register.js') },
            delete: { summary: 'Delete a custom flavor.', load: () => import('./commands/flavor-delete.js') },
          },
        },
        register: { summary: 'Register a container registry.', load: () => import('./commands/registry-register.js') },
        list: { summary: 'List the registered container registries.', load: () => import('./commands/registry-list.js') },
        describe: { summary: 'Show a container registry.', load: () => import('./commands/registry-describe.js') },
        update: { summary: "Change a container registry's configuration.", load: () => import('./commands/registry-update.js') },
        delete: { summary: 'Delete a container registry.', load: () => import('./commands/registry-delete.js') },
        connect: { summary: 'Take the credentials of a container registry from a service connector.', load: () => import('./commands/registry-connect.js') },
        disconnect: { summary: 'Stop taking credentials from a service connector.', load: () => import('./commands/registry-disconnect.js') },
      },
    },
    'service-connector': {
      summary: 'Register, inspect and verify service connectors: where registry credentials come from.',
      children: {
        register: { summary: 'Register a service connector.', load: () => import('./commands/connector-register.js') },
        list: { summary: 'List the registered service connectors.', load: () => import('./commands/connector-list.js') },
        describe: { summary: 'Show a service connector (secrets hidden).', load: () => import('./commands/connector-describe.js') },
        verify: { summary: "Prove a connector's credentials work against its registry.", load: () => import('./commands/connector-verify.js') },
        delete: { summary: 'Delete a service connector.', load: () => import('./commands/connector-delete.js') },
      },
    },
    image: {
      summary: 'Build and push images through a registered container registry.',
      children: {
        build: { summary: 'Build an image with the Docker engine and push it, unless the registry already has it.', load: () => import('./commands/image-build.js') },
        push: { summary: 'Push a local image to a registered container registry.', load: () => import('./commands/image-push.js') },
      },
    },
  },
};
