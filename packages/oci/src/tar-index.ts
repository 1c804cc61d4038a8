import { open } from 'node:fs/promises';
import { RegistryKitError } from '@registrykit/core';

/** Where one file's bytes sit inside a tar archive. */
export interface TarEntry {
  readonly name: string;
  /** Offset of the first content byte in the archive. */
  readonly offset: number;
  readonly size: number;
  /** `file`, `directory`, `symlink`, `hardlink` or `other`. */
  readonly type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  readonly linkName: string | undefined;
}

const BLOCK = 512;

/**
 * Indexes a tar archive by reading only its headers (ustar, PAX and GNU long names, base-256
 * sizes), so its files can be streamed as byte ranges: a multi-GiB `docker save` archive is
 * never read whole.
 */
export async function indexTar(path: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const file = await open(path, 'r');
  try {
    const { size: archiveSize } = await file.stat();
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    while (offset + BLOCK <= archiveSize) {
      const { bytesRead } = await file.read(header, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      if (header.every((byte) => byte === 0)) break;
      if (!checksumMatches(header)) throw corrupt(path, `a header at byte ${offset} has a bad checksum`);
      const typeFlag = String.fromCharCode(header[156] ?? 0);
      const size = Number(pax['size'] ?? readSize(header));
      const dataOffset = offset + BLOCK;
      if (dataOffset + size > archiveSize) throw corrupt(path, `an entry at byte ${offset} runs past the end of the archive`);
      offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (typeFlag === 'L' || typeFlag === 'K' || typeFlag === 'x' || typeFlag === 'g') {
        const content = Buffer.alloc(size);
        await file.read(content, 0, size, dataOffset);
        if (typeFlag === 'L') longName = cString(content);
        else if (typeFlag === 'K') longLink = cString(content);
        else if (typeFlag === 'x') pax = parsePax(content);
        continue;
      }
      const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar') ? cString(header.subarray(345, 500)) : '';
      const rawName = pax['path'] ?? longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
      const linkName = pax['linkpath'] ?? longLink ?? (cString(header.subarray(157, 257)) || undefined);
      const name = normalizeName(rawName);
      entries.set(name, { name, offset: dataOffset, size, type: typeOf(typeFlag), linkName });
      longName = undefined;
      longLink = undefined;
      pax = {};
    }
  } finally {
    await file.close();
  }
  return entries;
}

/** The regular file `name` refers to, following symlinks (relative to its folder) and hard links. */
export function resolveTarFile(entries: ReadonlyMap<string, TarEntry>, name: string): TarEntry | undefined {
  let current = entries.get(normalizeName(name));
  for (let hops = 0; current && hops < 16; hops++) {
    if (current.type === 'file') return current;
    if (current.linkName === undefined) return undefined;
    if (current.type === 'hardlink') current = entries.get(normalizeName(current.linkName));
    else if (current.type === 'symlink') {
      const folder = current.name.includes('/') ? current.name.slice(0, current.name.lastIndexOf('/') + 1) : '';
      current = entries.get(normalizeName(current.linkName.startsWith('/') ? current.linkName : folder + current.linkName));
    } else return undefined;
  }
  return undefined;
}

/** `./a/../b/c/` → `b/c`. */
export function normalizeName(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function typeOf(flag: string): TarEntry['type'] {
  if (flag === '0' || flag === '\0' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

function readSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  // GNU base-256: the high bit of the first byte set, the rest a big-endian number.
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = 0;
    for (let index = 1; index < field.length; index++) value = value * 256 + (field[index] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text.length === 0 ? 0 : parseInt(text, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseInt(cString(header.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 32 : (header[index] ?? 0);
  return sum === stored;
}

function parsePax(content: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let position = 0;
  while (position < content.length) {
    const space = content.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(content.subarray(position, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = content.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    position += length;
  }
  return records;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function corrupt(path: string, reason: string): RegistryKitError {
  return new RegistryKitError('INVALID_ARGUMENT', `The tar archive ${path} is not readable: ${reason}. Save the image again (\`docker save -o …\`).`, {
    details: { field: 'source', path },
  });
}
