import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// docs/writing-a-flavor.md shows this package's code. Each ```ts and ```json block there starts
// with the path of the file it is taken from; its lines (split where a line is `// …`) must be in
// that file, in order, word for word. A block without a path is refused: the guide holds no code
// that is not built and tested here.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GUIDE = join(root, 'docs', 'writing-a-flavor.md');

interface Excerpt {
  readonly file: string;
  readonly parts: readonly string[];
}

function excerpts(guide: string): Excerpt[] {
  return [...guide.matchAll(/```(?:ts|json)\n([\s\S]*?)```/g)].map((match) => {
    const [header = '', ...lines] = (match[1] ?? '').replace(/\n$/, '').split('\n');
    const file = /^\/\/ (examples\/third-party-flavor\/\S+)$/.exec(header)?.[1];
    if (!file) throw new Error(`A code block in docs/writing-a-flavor.md does not start with "// examples/third-party-flavor/<file>":\n${header}`);
    const parts: string[][] = [[]];
    for (const line of lines) {
      if (line.trim() === '// …') parts.push([]);
      else parts[parts.length - 1]?.push(line);
    }
    return { file, parts: parts.map((part) => part.join('\n')).filter((part) => part.trim().length > 0) };
  });
}

it('takes every code excerpt of docs/writing-a-flavor.md from this package, word for word', async () => {
  const found = excerpts(await readFile(GUIDE, 'utf8'));
  expect(found.length).toBeGreaterThanOrEqual(6);
  const drifted: string[] = [];
  for (const { file, parts } of found) {
    const text = await readFile(join(root, file), 'utf8');
    let from = 0;
    for (const part of parts) {
      const at = text.indexOf(part, from);
      if (at === -1) drifted.push(`${file}: not found (after offset ${from}):\n${part}`);
      else from = at + part.length;
    }
  }
  expect(drifted).toEqual([]);
});
