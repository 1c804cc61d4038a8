import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

async function readmes(): Promise<string[]> {
  const found = [join(root, 'README.md')];
  for (const folder of ['packages', 'examples', 'tooling']) {
    for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
      if (entry.isDirectory()) found.push(join(root, folder, entry.name, 'README.md'));
    }
  }
  const existing = await Promise.all(found.map((path) => readFile(path, 'utf8').then(() => path, () => undefined)));
  return existing.filter((path): path is string => path !== undefined);
}

it('type-checks every ```ts snippet of every README against the built packages', async () => {
  // Snippets go in a folder next to this one, so they resolve the workspace packages.
  const work = await mkdtemp(join(here, '..', '.snippets-'));
  try {
    const files: string[] = [];
    for (const readme of await readmes()) {
      const text = await readFile(readme, 'utf8');
      const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
      for (const [index, block] of blocks.entries()) {
        const name = `${relative(root, readme).replace(/[/.]/g, '_')}_${index}.ts`;
        // `export {}` makes each snippet a module, so top-level await and names stay local.
        await writeFile(join(work, name), `${block}\nexport {};\n`);
        files.push(name);
      }
    }
    expect(files.length).toBeGreaterThan(5);
    await writeFile(join(work, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'], compilerOptions: { noEmit: true } }));
    const tsc = join(here, '../node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')]).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
