import { expect } from 'vitest';
import type { ConformanceTestApi } from '../conformance/conformance-options.js';

export interface RecordedTest {
  /** The test's name with its describe blocks, `a > b > test`. */
  readonly name: string;
  /** The failure's message, or undefined when the test passed. */
  readonly failure: string | undefined;
}

type Body = () => Promise<void>;

interface Suite {
  readonly name: string;
  readonly items: ({ readonly kind: 'test'; readonly name: string; readonly body: Body } | { readonly kind: 'suite'; readonly suite: Suite })[];
  readonly beforeAll: Body[];
  readonly afterAll: Body[];
}

/**
 * Registers tests with stand-ins for `describe`, `it`, `beforeAll` and `afterAll` (and vitest's
 * real `expect`), then runs them in order, as vitest would, and answers each test's outcome: what
 * the conformance kit reports about a flavor, seen from a test.
 */
export async function runRecorded(register: (api: ConformanceTestApi) => void): Promise<RecordedTest[]> {
  const root: Suite = { name: '', items: [], beforeAll: [], afterAll: [] };
  let current = root;
  register({
    describe(name, body) {
      const suite: Suite = { name, items: [], beforeAll: [], afterAll: [] };
      current.items.push({ kind: 'suite', suite });
      const parent = current;
      current = suite;
      try {
        body();
      } finally {
        current = parent;
      }
    },
    it(name, body) {
      current.items.push({ kind: 'test', name, body });
    },
    expect,
    beforeAll(body) {
      current.beforeAll.push(body);
    },
    afterAll(body) {
      current.afterAll.push(body);
    },
  });
  const results: RecordedTest[] = [];
  await runSuite(root, [], results, undefined);
  return results;
}

async function runSuite(suite: Suite, path: readonly string[], results: RecordedTest[], inherited: string | undefined): Promise<void> {
  let setupFailure = inherited;
  for (const hook of suite.beforeAll) setupFailure ??= await failureOf(hook);
  for (const item of suite.items) {
    if (item.kind === 'suite') {
      await runSuite(item.suite, [...path, item.suite.name], results, setupFailure);
    } else {
      const name = [...path, item.name].join(' > ');
      results.push({ name, failure: setupFailure !== undefined ? `beforeAll failed: ${setupFailure}` : await failureOf(item.body) });
    }
  }
  for (const hook of suite.afterAll) await failureOf(hook);
}

async function failureOf(body: Body): Promise<string | undefined> {
  try {
    await body();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
