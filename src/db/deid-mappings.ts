// The de-identification mapping (issue 14): original ↔ pseudonymous UIDs, and each pseudonymous study's original
// patient and study attributes. Originals are stored only encrypted (AES-256-GCM); rows are found by keyed hashes
// (HMAC-SHA256) of the values, so the table alone reveals neither side. Keys come from the site key (deid/).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { prepared, type Db } from './database.js';

export type MappingKind = 'uid' | 'study';
export interface MappingKeys { encryption: Buffer; lookup: Buffer }
export interface MappingRow { kind: MappingKind; original: string; pseudonym: string; createdAt: string }

export class DeidMappings {
  constructor(private readonly db: Db, private readonly keys: MappingKeys) {
    if (keys.encryption.length !== 32 || keys.lookup.length !== 32) throw new Error('mapping keys must be 32 bytes');
  }

  private hash(kind: MappingKind, side: 'o' | 'p', value: string): Buffer {
    return createHmac('sha256', this.keys.lookup).update(`${kind}\0${side}\0${value}`).digest();
  }

  private seal(plain: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.keys.encryption, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  private open(sealed: Buffer): string {
    const d = createDecipheriv('aes-256-gcm', this.keys.encryption, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
  }

  /** Records original → pseudonym pairs once (a pair already known is left as it is). */
  record(kind: MappingKind, pairs: Iterable<[original: string, pseudonym: string]>): void {
    const insert = prepared(this.db, `INSERT INTO deid_mappings
      (kind, original_hash, pseudo_hash, original_enc, pseudo_enc, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (kind, original_hash) DO NOTHING`);
    const now = Date.now();
    this.db.transaction(() => {
      for (const [original, pseudonym] of pairs) {
        insert.run(kind, this.hash(kind, 'o', original), this.hash(kind, 'p', pseudonym), this.seal(original),
          this.seal(pseudonym), now);
      }
    })();
  }

  /** Records (or replaces) a pseudonymous study's original attributes (patient and study level, as JSON). */
  recordStudy(pseudoStudyUid: string, attributes: Record<string, string>): void {
    prepared(this.db, `INSERT INTO deid_mappings (kind, original_hash, pseudo_hash, original_enc, pseudo_enc,
      created_at) VALUES ('study', ?, ?, ?, ?, ?)
      ON CONFLICT (kind, original_hash) DO UPDATE SET original_enc = excluded.original_enc`)
      .run(this.hash('study', 'o', pseudoStudyUid), this.hash('study', 'p', pseudoStudyUid),
        this.seal(JSON.stringify(attributes)), this.seal(pseudoStudyUid), Date.now());
  }

  /** The original behind a pseudonym, or undefined when the mapping does not know it. */
  original(kind: 'uid', pseudonym: string): string | undefined {
    const row = prepared(this.db, 'SELECT original_enc FROM deid_mappings WHERE kind = ? AND pseudo_hash = ?')
      .get(kind, this.hash(kind, 'p', pseudonym)) as { original_enc: Buffer } | undefined;
    return row ? this.open(row.original_enc) : undefined;
  }

  studyAttributes(pseudoStudyUid: string): Record<string, string> | undefined {
    const row = prepared(this.db, "SELECT original_enc FROM deid_mappings WHERE kind = 'study' AND pseudo_hash = ?")
      .get(this.hash('study', 'p', pseudoStudyUid)) as { original_enc: Buffer } | undefined;
    return row ? JSON.parse(this.open(row.original_enc)) : undefined;
  }

  /** The newest rows, decrypted: only the admin API's audited endpoint calls this. */
  list(limit: number): MappingRow[] {
    const rows = prepared(this.db,
      `SELECT kind, original_enc, pseudo_enc, created_at FROM deid_mappings
       ORDER BY created_at DESC, kind, original_hash LIMIT ?`)
      .all(limit) as Array<{ kind: MappingKind; original_enc: Buffer; pseudo_enc: Buffer; created_at: number }>;
    return rows.map((r) => ({
      kind: r.kind, original: this.open(r.original_enc), pseudonym: this.open(r.pseudo_enc),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }
}
