import type Dockerode from 'dockerode';

export interface EngineEvent {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes?: Readonly<Record<string, string>> };
  /** When it happened, in nanoseconds since the epoch (a JSON number: exact to well under a millisecond). */
  readonly timeNano: number;
}

/**
 * The engine's own record of what happened from `sinceMs` to `untilMs` (Date.now() values):
 * `docker events`. The API filters by whole seconds, so events from earlier in the first second
 * are dropped here by their nanosecond timestamps.
 */
export async function engineEvents(docker: Dockerode, sinceMs: number, untilMs: number): Promise<EngineEvent[]> {
  const stream = await docker.getEvents({ since: Math.floor(sinceMs / 1000), until: Math.ceil(untilMs / 1000) });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as EngineEvent)
    .filter((event) => event.timeNano / 1e6 >= sinceMs && event.timeNano / 1e6 <= untilMs);
}
