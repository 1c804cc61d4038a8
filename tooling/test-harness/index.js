import { inject } from 'vitest';

/** The DOCKER_HOST of the run's Docker engine; only in packages configured with `dockerEngine: true`. */
export function testDockerHost() {
  const host = inject('dockerHost');
  if (!host) throw new Error('No Docker engine for this run: configure the package with defineTestConfig({ dockerEngine: true }).');
  return host;
}
