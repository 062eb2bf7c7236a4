// Every error code the node can emit is listed in the README (an admin must be able to look it up).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { volumeErrorCodes } from '../../src/infer/volume/types.js';
import { repoRoot } from '../support/node-process.js';

/** The quoted upper-case codes of a `type X = | 'A' | 'B'` union in a source file. */
function unionCodes(file: string, typeName: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const start = text.indexOf(`type ${typeName}`);
  const body = text.slice(start, text.indexOf(';', start));
  return [...body.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]);
}

function problemCodes(dir: string): string[] {
  const files = fs.readdirSync(path.join(repoRoot, dir), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  return files.flatMap((f) => [...fs.readFileSync(path.join(repoRoot, dir, f), 'utf8').matchAll(/problem\(res, \d+, '([A-Z_]+)'/g)].map((m) => m[1]));
}

describe('error codes', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const codes = [
    ...unionCodes('src/store/status.ts', 'StoreErrorCode'),
    ...unionCodes('src/infer/errors.ts', 'InferenceErrorCode'),
    ...unionCodes('src/encode/errors.ts', 'EncodeErrorCode'),
    ...unionCodes('src/jobs/errors.ts', 'JobErrorCode'),
    ...unionCodes('src/review/errors.ts', 'ReviewErrorCode'),
    ...unionCodes('src/qc/types.ts', 'QcErrorCode'),
    ...unionCodes('src/features/types.ts', 'FeatureErrorCode'),
    'QC_FAILED',
    'JOB_UNEXPECTED',
    ...volumeErrorCodes,
    ...problemCodes('src/api'),
    ...problemCodes('src/receive'),
  ];

  it('finds the codes it checks', () => {
    expect(codes.length).toBeGreaterThan(40);
  });

  it.each(codes)('%s is documented in the README', (code) => {
    expect(readme).toContain(`\`${code}\``);
  });
});
