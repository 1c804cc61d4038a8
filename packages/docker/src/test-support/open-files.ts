import { readdir, readlink } from 'node:fs/promises';

/** The files under `directory` this process holds open (Linux: /proc/self/fd). */
export async function openFilesUnder(directory: string): Promise<string[]> {
  const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((target) => target.startsWith(`${directory}/`));
}

/** Waits until no file under `directory` is open, or `timeoutMs` passed; answers those still open. */
export async function openFilesAfterClosing(directory: string, timeoutMs = 2_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await openFilesUnder(directory);
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
