import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerConfigSandbox {
  /**
   * An environment of its own: `DOCKER_CONFIG` is a fresh directory (with `config.json` when
   * `dockerConfig` is given) and nothing else but `variables`, so no test sees the machine's
   * `docker login` or cloud credentials.
   */
  env(options?: { readonly dockerConfig?: object; readonly variables?: NodeJS.ProcessEnv }): Promise<NodeJS.ProcessEnv>;
  /** Removes every directory it made. */
  remove(): Promise<void>;
}

/** Isolated environments for credential lookups, one directory per call, for tests of flavors and components. */
export async function createDockerConfigSandbox(): Promise<DockerConfigSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'rk-docker-config-'));
  let made = 0;
  return {
    async env({ dockerConfig, variables } = {}) {
      const dir = join(root, `env-${++made}`);
      await mkdir(dir, { recursive: true });
      if (dockerConfig) await writeFile(join(dir, 'config.json'), JSON.stringify(dockerConfig));
      return { ...variables, DOCKER_CONFIG: dir };
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
