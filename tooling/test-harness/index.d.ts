declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

/** The DOCKER_HOST of the run's Docker engine; only in packages configured with `dockerEngine: true`. */
export function testDockerHost(): string;
