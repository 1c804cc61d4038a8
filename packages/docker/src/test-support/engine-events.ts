import type Dockerode from 'dockerode';

export interface EngineEvent {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes?: Readonly<Record<string, string>> };
}

/** The engine's own record of what happened between two times (unix seconds): `docker events`. */
export async function engineEvents(docker: Dockerode, since: number, until: number): Promise<EngineEvent[]> {
  const stream = await docker.getEvents({ since, until });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as EngineEvent);
}

/** Unix seconds now; events are recorded with one-second resolution. */
export const unixSeconds = (): number => Math.floor(Date.now() / 1000);
