// The quality check's codes are in the README's error-code table (an admin must be able to look them up).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QC_FAILED } from '../../../src/qc/index.js';
import { repoRoot } from '../../support/node-process.js';

describe('quality check codes', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const source = fs.readFileSync(path.join(repoRoot, 'src/qc/types.ts'), 'utf8');
  const union = source.slice(source.indexOf('type QcErrorCode'),
    source.indexOf(';', source.indexOf('type QcErrorCode')));
  const codes = [QC_FAILED, ...[...union.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1])];

  it.each(codes)('%s is a row of the error-code table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('finds both codes', () => expect(codes).toEqual(['QC_FAILED', 'QC_INPUT_INVALID']));
});
