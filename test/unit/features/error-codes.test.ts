// The feature stage's error codes are in the README's error-code table (until the shared check lists this union).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/node-process.js';

describe('feature error codes', () => {
  const source = fs.readFileSync(path.join(repoRoot, 'src/features/types.ts'), 'utf8');
  const union = source.slice(source.indexOf('type FeatureErrorCode'),
    source.indexOf(';', source.indexOf('type FeatureErrorCode')));
  const codes = [...union.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!);
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it('finds the codes', () => expect(codes).toEqual(['FEAT_EMPTY_ROI', 'FEAT_INPUT', 'FEAT_CONFIG', 'FEAT_WORKER']));
  it.each(codes)('%s is documented in the README', (code) => expect(readme).toContain(`\`${code}\``));
});
