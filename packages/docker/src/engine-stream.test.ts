import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type EngineMessage, EngineStreamError, readEngineStream } from './engine-stream.js';

function feed(chunks: (string | Buffer)[], end = true): PassThrough {
  const stream = new PassThrough();
  setImmediate(() => {
    for (const chunk of chunks) stream.write(chunk);
    if (end) stream.end();
    else stream.destroy();
  });
  return stream;
}

describe('readEngineStream', () => {
  it('reassembles messages split across chunks and CRLF lines', async () => {
    const messages: EngineMessage[] = [];
    await readEngineStream(feed(['{"status":"Prep', 'aring","id":"abc"}\r\n{"aux":{"Tag":"1","Digest":"sha256:x","Size":5}}\r', '\n']), (m) => messages.push(m));
    expect(messages).toEqual([{ status: 'Preparing', id: 'abc' }, { aux: { Tag: '1', Digest: 'sha256:x', Size: 5 } }]);
  });

  it('keeps characters whole when a chunk ends inside one', async () => {
    const bytes = Buffer.from('{"stream":"Downloading ━━━━ 1.2 MB ✓"}\n');
    const cut = bytes.indexOf(Buffer.from('━')) + 1;
    const messages: EngineMessage[] = [];
    await readEngineStream(feed([bytes.subarray(0, cut), bytes.subarray(cut, cut + 2), bytes.subarray(cut + 2)]), (m) => messages.push(m));
    expect(messages).toEqual([{ stream: 'Downloading ━━━━ 1.2 MB ✓' }]);
  });

  it('rejects with the daemon message when the stream reports an error with HTTP 200', async () => {
    const done = readEngineStream(
      feed(['{"status":"Pushing","id":"a"}\n', '{"errorDetail":{"code":401,"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}\n']),
      () => undefined,
    );
    await expect(done).rejects.toBeInstanceOf(EngineStreamError);
    await expect(done).rejects.toMatchObject({ message: 'unauthorized: authentication required', statusCode: 401 });
  });

  it('rejects, and stops reading, when the message handler throws (a progress callback)', async () => {
    const stream = feed(['{"status":"Preparing","id":"a"}\n', '{"status":"Pushing","id":"a"}\n']);
    const seen: EngineMessage[] = [];
    const done = readEngineStream(stream, (message) => {
      seen.push(message);
      throw new Error('the callback broke');
    });
    await expect(done).rejects.toThrow('the callback broke');
    expect(seen).toHaveLength(1);
    expect(stream.destroyed).toBe(true);
  });

  it('rejects when the connection is cut before the stream ends', async () => {
    await expect(readEngineStream(feed(['{"status":"Pushing","id":"a"}\n'], false), () => undefined)).rejects.toThrow(/closed the stream/);
  });
});
