// The de-identification mapping: durable across reopening, found back by pseudonym, never stored in clear.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { DeidMappings } from '../../../src/db/deid-mappings.js';
import { openTestDatabase } from '../../support/postgres.js';

const keys = { encryption: Buffer.alloc(32, 1), lookup: Buffer.alloc(32, 2) };

describe('deid mappings', () => {
  it('maps pseudonyms back after a restart, keeps the first pairing, and stores no original in clear', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deidmap-'));
    const db = openDatabase(dir);
    const m = new DeidMappings(db, keys);
    m.record('uid', [['1.2.3.4.5.6.7.8.9', '2.25.111'], ['1.2.3.4.5.6.7.8.10', '2.25.222']]);
    m.record('uid', [['1.2.3.4.5.6.7.8.9', '2.25.999']]); // already known: the first pairing stays
    m.recordStudy('2.25.111', { PatientName: 'Doe^Jane', PatientID: 'MRN-778899' });
    db.close();
    const raw = fs.readFileSync(path.join(dir, 'node.sqlite'));
    const walFile = path.join(dir, 'node.sqlite-wal');
    const wal = fs.existsSync(walFile) ? fs.readFileSync(walFile) : Buffer.alloc(0);
    for (const secret of ['1.2.3.4.5.6.7.8.9', 'Doe^Jane', 'MRN-778899', '2.25.111']) {
      expect(raw.includes(secret) || wal.includes(secret)).toBe(false);
    }
    const again = new DeidMappings(openDatabase(dir), keys);
    expect(again.original('uid', '2.25.111')).toBe('1.2.3.4.5.6.7.8.9');
    expect(again.original('uid', '2.25.222')).toBe('1.2.3.4.5.6.7.8.10');
    expect(again.original('uid', '2.25.999')).toBeUndefined();
    expect(again.original('uid', '2.25.333')).toBeUndefined();
    expect(again.studyAttributes('2.25.111')).toEqual({ PatientName: 'Doe^Jane', PatientID: 'MRN-778899' });
    expect(again.list(10).map((r) => [r.kind, r.original, r.pseudonym])).toEqual(expect.arrayContaining([
      ['uid', '1.2.3.4.5.6.7.8.9', '2.25.111'],
      ['study', JSON.stringify({ PatientName: 'Doe^Jane', PatientID: 'MRN-778899' }), '2.25.111'],
    ]));
  });

  it('cannot read the mapping with another key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deidmap-'));
    const db = openDatabase(dir);
    new DeidMappings(db, keys).record('uid', [['1.2.3.4', '2.25.5']]);
    const other = new DeidMappings(db, { encryption: Buffer.alloc(32, 3), lookup: keys.lookup });
    expect(() => other.original('uid', '2.25.5')).toThrow();
    const wrongLookup = new DeidMappings(db, { encryption: keys.encryption, lookup: Buffer.alloc(32, 4) });
    expect(wrongLookup.original('uid', '2.25.5')).toBeUndefined();
  });

  it('lists the newest pairs first, up to the limit (on the backend TEST_DATABASE names)', async () => {
    const db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'deidmap-')));
    const m = new DeidMappings(db, keys);
    m.record('uid', [['1.2.3.1', '2.25.1']]);
    await new Promise((r) => setTimeout(r, 5));
    m.record('uid', [['1.2.3.2', '2.25.2']]);
    await new Promise((r) => setTimeout(r, 5));
    m.record('uid', [['1.2.3.3', '2.25.3']]);
    expect(m.list(2).map((r) => r.pseudonym)).toEqual(['2.25.3', '2.25.2']);
    expect(m.list(10)).toHaveLength(3);
    db.close();
  });
});
