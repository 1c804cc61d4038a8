import { randomInt } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';

const HOSTS = '/etc/hosts';
const LOCK = '/etc/hosts.registrykit-lock';
const MARK = '# registrykit-test';

/**
 * A random loopback address other than 127.0.0.1, so a test can listen on a registry's real port
 * (443) without colliding with another test.
 */
export function loopbackAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
}

/**
 * Maps `hostname` to `address` in /etc/hosts (needs root), so the Docker engine, skopeo and
 * Node reach a local registry under a cloud registry's real name. Returns a cleanup that removes
 * the entry. Use a host name no other concurrent test uses.
 */
export async function mapHostname(hostname: string, address: string): Promise<() => Promise<void>> {
  const line = `${address} ${hostname} ${MARK} ${hostname}`;
  await editHosts((lines) => [...lines.filter((existing) => !existing.endsWith(`${MARK} ${hostname}`)), line]);
  return () => editHosts((lines) => lines.filter((existing) => existing !== line));
}

// /etc/hosts is often a bind mount in containers, so it is rewritten in place (not renamed),
// under a lock file that serializes test processes.
async function editHosts(change: (lines: string[]) => string[]): Promise<void> {
  const lock = await acquireLock();
  try {
    const lines = (await readFile(HOSTS, 'utf8')).split('\n').filter((existing, index, all) => existing.length > 0 || index < all.length - 1);
    const file = await open(HOSTS, 'r+');
    try {
      const text = `${change(lines).join('\n')}\n`;
      await file.truncate(0);
      await file.write(text, 0, 'utf8');
    } finally {
      await file.close();
    }
  } finally {
    await lock.close();
    await rm(LOCK, { force: true });
  }
}

async function acquireLock() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await open(LOCK, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw error;
      // A lock left by a killed process is stale after a few seconds: edits take milliseconds.
      const age = await stat(LOCK).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (age > 5_000) await rm(LOCK, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
