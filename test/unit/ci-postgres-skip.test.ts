// The PostgreSQL pass of .ci/run skips the suites named in .ci/postgres-skip: each must exist (a stale name would
// skip nothing and hide the rename) and must not reach the backend TEST_DATABASE selects, or skipping it would lose
// PostgreSQL coverage.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const skipped = fs.readFileSync(path.join(root, '.ci/postgres-skip'), 'utf8').split('\n')
  .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** What puts a suite on the selected backend: a node started by the test helpers (directly or through the e2e
 *  and suite-local support modules, which start them), or a test database opened. */
const REACHES_BACKEND = [
  /\bstartNodes?\(/, /\bopenTestDatabase\(/, /\bcreateTestDatabase\(/, /\bqueryNode\(/, /\btestBackend\b/,
  /from '[./]*support\/postgres\.js'/, /from '\.\/((loop|review|external|admin)-support|review-session|harness)\.js'/,
];
const reaches = (file: string) => REACHES_BACKEND.some((re) => re.test(fs.readFileSync(path.join(root, file), 'utf8')));

describe('.ci/postgres-skip', () => {
  it('names existing suites, once each', () => {
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped).size).toBe(skipped.length);
    for (const file of skipped) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });

  it('names no suite that starts a node or opens a test database', () => {
    expect(skipped.filter(reaches)).toEqual([]);
  });

  it('tells such suites apart (the check above can fail)', () => {
    const known = ['test/e2e/loop.test.ts', 'test/unit/db/shared-queue.test.ts',
      'test/integration/deid/reidentify-job.test.ts'];
    for (const file of known) {
      expect(reaches(file), file).toBe(true);
    }
  });

  it('is what .ci/run passes to the PostgreSQL pass', () => {
    expect(fs.readFileSync(path.join(root, '.ci/run'), 'utf8')).toMatch(/\.ci\/postgres-skip/);
  });
});
