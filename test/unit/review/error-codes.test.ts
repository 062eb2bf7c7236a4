// The review building blocks' error codes are in the README's error-code table (as for every other stage).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/node-process.js';

describe('review error codes', () => {
  const source = fs.readFileSync(path.join(repoRoot, 'src/review/errors.ts'), 'utf8');
  const union = source.slice(source.indexOf('type ReviewErrorCode'),
    source.indexOf(';', source.indexOf('type ReviewErrorCode')));
  const codes = [...union.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]);
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it('finds the codes', () => expect(codes).toEqual(['PREVIEW_INPUT', 'REJECTION_NOTE_READ', 'REVIEW_WORKER_FAILED']));
  it.each(codes)('%s is documented in the README', (code) => expect(readme).toContain(`\`${code}\``));
});
