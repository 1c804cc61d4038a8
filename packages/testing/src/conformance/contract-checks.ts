import { flavorProblems } from '@registrykit/core';

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

/**
 * How `flavor` breaks the contract: core's own checks (`flavorProblems`, what `defineFlavor` and
 * `flavor register` refuse) and the house rules on top (fields described in words, camelCase
 * keys, a valid package name and docs URL).
 */
export function contractProblems(flavor: unknown): string[] {
  const problems = flavorProblems(flavor);
  if (problems.length > 0 || typeof flavor !== 'object' || flavor === null) return problems;
  const { configSchema, packageName, docsUrl } = flavor as { configSchema: Record<string, { description: string }>; packageName?: unknown; docsUrl?: unknown };
  for (const [key, spec] of Object.entries(configSchema)) {
    if (!CAMEL_CASE.test(key)) problems.push(`"configSchema.${key}": config keys are camelCase (the CLI maps --${kebab(key)} to them), e.g. "${camel(key)}".`);
    if (spec.description.trim().length === 0) problems.push(`"configSchema.${key}" has an empty "description": say in a sentence what the field is for; \`flavor describe\` shows it.`);
  }
  if (packageName !== undefined && (typeof packageName !== 'string' || !NPM_NAME.test(packageName))) {
    problems.push(`"packageName" must be the npm package that provides the flavor (CLI install hints use it); got ${JSON.stringify(packageName)}.`);
  }
  if (docsUrl !== undefined && (typeof docsUrl !== 'string' || !/^https?:\/\/\S+$/.test(docsUrl))) {
    problems.push(`"docsUrl" must be an http(s) URL; got ${JSON.stringify(docsUrl)}.`);
  }
  return problems;
}

/** How the package entry fails to give the flavor to `registrykit container-registry flavor register`. */
export function entryProblems(flavor: unknown, entry: Readonly<Record<string, unknown>>): string[] {
  // The CLI imports the `flavor` export, else the default export.
  const exported = entry['flavor'] ?? entry['default'];
  if (exported === flavor) return [];
  if (exported === undefined) {
    return ['the package entry exports no flavor: add `export { myFlavor as flavor }` to its index, the name `flavor register` and the CLI import.'];
  }
  return ['the `flavor` export of the package entry is not the flavor under test: export the same object.'];
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`).replace(/_/g, '-');
}

function camel(key: string): string {
  const words = key.split(/[-_\s]+/).filter((word) => word.length > 0);
  return words.map((word, index) => (index === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1))).join('');
}
