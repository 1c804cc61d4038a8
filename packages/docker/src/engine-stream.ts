import { StringDecoder } from 'node:string_decoder';

/** One newline-delimited JSON message of an Engine API push, pull or build stream. */
export interface EngineMessage {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly aux?: Readonly<Record<string, unknown>>;
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly code?: number; readonly message?: string };
}

/** The engine reported a failure inside a stream that began with HTTP 200. */
export class EngineStreamError extends Error {
  readonly statusCode: number | undefined;

  constructor(message: string, statusCode: number | undefined) {
    super(message);
    this.name = 'EngineStreamError';
    this.statusCode = statusCode;
  }
}

/**
 * Reads an Engine API JSON stream to its end, handing each message to `onMessage`.
 * Dockerode resolves as soon as the HTTP headers arrive and failures come as `errorDetail`
 * lines with status 200, so this is where a failed push or build becomes a rejection
 * (an EngineStreamError carrying the daemon's message).
 */
export function readEngineStream(stream: NodeJS.ReadableStream, onMessage: (message: EngineMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Chunks end anywhere, also inside a multi-byte character (pip's progress bars are "━").
    const decoder = new StringDecoder('utf8');
    let buffer = '';
    let failure: unknown;
    const handle = (line: string) => {
      const text = line.trim();
      if (text.length === 0 || failure) return;
      let message: EngineMessage;
      try {
        message = JSON.parse(text) as EngineMessage;
      } catch {
        // Not JSON: engines behind proxies sometimes interleave plain text; surface it as output.
        message = { stream: `${text}\n` };
      }
      if (message.error !== undefined || message.errorDetail !== undefined) {
        failure = new EngineStreamError(message.errorDetail?.message ?? message.error ?? 'unknown error', message.errorDetail?.code);
        return;
      }
      try {
        onMessage(message);
      } catch (error) {
        // Thrown inside a 'data' listener it would be an uncaught exception: it ends the read instead.
        failure = error;
        reject(error);
        (stream as { destroy?: () => void }).destroy?.();
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) handle(line);
    });
    stream.on('end', () => {
      handle(buffer + decoder.end());
      if (failure) reject(failure);
      else resolve();
    });
    stream.on('error', (error: Error) => reject(failure ?? error));
    stream.on('close', () => {
      // 'close' without 'end' means the connection was cut mid-stream.
      if ((stream as { readableEnded?: boolean }).readableEnded === false) {
        reject(failure ?? new Error('the Docker engine closed the stream before it finished'));
      }
    });
  });
}
