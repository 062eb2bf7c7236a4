// Error codes ↔ README, both ways: every code the node can emit is documented (an admin must be able to look it
// up), and every code the README's "Error codes" section names is one the node can emit (no stale entries).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { volumeErrorCodes } from '../../src/infer/volume/types.js';
import { repoRoot } from '../support/node-process.js';

/** The quoted upper-case codes of a `type X = | 'A' | 'B'` union in a source file. */
function unionCodes(file: string, typeName: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const start = text.indexOf(`type ${typeName}`);
  const rest = text.slice(start).replace(/\/\/[^\n]*/g, ''); // a comment may hold a ';' or a quoted word
  const body = rest.slice(0, rest.indexOf(';'));
  return [...body.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]);
}

function problemCodes(dir: string): string[] {
  const files = fs.readdirSync(path.join(repoRoot, dir), { recursive: true }).map(String).filter(
    (f) => f.endsWith('.ts'));
  return files.flatMap((f) => [...fs.readFileSync(
    path.join(repoRoot, dir, f), 'utf8').matchAll(/problem\(res, \d+, '([A-Z_]+)'/g)].map((m) => m[1]));
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
    ...unionCodes('src/cli/segment.ts', 'CliErrorCode'),
    ...unionCodes('src/review/decisions.ts', 'DecisionErrorCode'),
    ...unionCodes('src/deid/errors.ts', 'DeidErrorCode'),
    ...unionCodes('src/infer/detect/errors.ts', 'DetectErrorCode'),
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

  it('every code the README documents is one the node emits', () => {
    const start = readme.indexOf('\n## Error codes');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
    const documented = new Set([...section.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(40);
    const known = new Set(codes);
    expect([...documented].filter((c) => !known.has(c))).toEqual([]);
  });
});
