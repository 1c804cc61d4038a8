// What a process pays to load the cloud flavors: importing `@registrykit/aws` and
// `@registrykit/azure` and creating a component (what the CLI does for `flavor list` or a
// config check), against importing the cloud SDKs themselves, as a flavor that loaded its SDK
// at import time would. Each import runs in a fresh Node process, the order rotates, and the
// time of an empty Node process in the same round is subtracted from both.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { printComparison, timed } from './report.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9);
const resolveFrom = (packageJson: string, name: string) => createRequire(packageJson).resolve(name);
const awsPackage = resolveFrom(import.meta.url, '@registrykit/aws');
const azurePackage = resolveFrom(import.meta.url, '@registrykit/azure');
const corePackage = resolveFrom(import.meta.url, '@registrykit/core');

const cases = [
  {
    title: 'aws flavor: import and create a component, against importing @aws-sdk/client-ecr',
    subject: `const { awsFlavor } = await import(${JSON.stringify(awsPackage)}); const { createContainerRegistry } = await import(${JSON.stringify(corePackage)});
      createContainerRegistry({ flavor: awsFlavor, config: { uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' }, dockerCredentials: false });`,
    peer: `await import(${JSON.stringify(resolveFrom(awsPackage, '@aws-sdk/client-ecr'))});`,
  },
  {
    title: 'azure flavor: import and create a component, against importing @azure/container-registry and @azure/identity',
    subject: `const { azureFlavor } = await import(${JSON.stringify(azurePackage)}); const { createContainerRegistry } = await import(${JSON.stringify(corePackage)});
      createContainerRegistry({ flavor: azureFlavor, config: { uri: 'myregistry.azurecr.io' }, dockerCredentials: false });`,
    peer: `await Promise.all([import(${JSON.stringify(resolveFrom(azurePackage, '@azure/container-registry'))}), import(${JSON.stringify(resolveFrom(azurePackage, '@azure/identity'))})]);`,
  },
];

const node = (code: string) => run(process.execPath, ['--input-type=module', '-e', code]);
let allMet = true;
for (const { title, subject, peer } of cases) {
  const empty = '';
  // One untimed run each warms the file system cache.
  for (const code of [empty, subject, peer]) await node(code);
  const subjectMs: number[] = [];
  const peerMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = [empty, subject, peer];
    const rotated = [...order.slice(round % 3), ...order.slice(0, round % 3)];
    const ms = new Map<string, number>();
    for (const code of rotated) ms.set(code, (await timed(() => node(code))).ms);
    subjectMs.push(Math.max(1, ms.get(subject)! - ms.get(empty)!));
    peerMs.push(Math.max(1, ms.get(peer)! - ms.get(empty)!));
  }
  allMet = printComparison({ title, subject: 'registrykit flavor', peer: 'SDK import', subjectMs, peerMs, target: 0.5 }) && allMet;
}
process.exitCode = allMet ? 0 : 1;
