// The results migration on a database an older node left: finished jobs get a result row (delivered when every
// delivery was delivered, else accepted) and their deliveries name it; result objects keep their rows as revision 1.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { migrations } from '../../../src/db/migrations.js';
import { listDeliveries } from '../../../src/db/deliveries.js';
import { latestResultOfJob, objectsOfResult } from '../../../src/db/results.js';

describe('migrating to results', () => {
  it('gives each finished runModel job a result and links its deliveries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
    const old = new Database(path.join(dir, 'node.sqlite'));
    for (const m of migrations.slice(0, 4)) old.exec(m);
    old.pragma('user_version = 4');
    old.exec(`INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES ('1.2', 1, 'quiet-period', 1, 0);
      INSERT INTO jobs (id, completion_id, study_uid, revision, rule_id, rules_version, action, model_id, state, created_at, updated_at)
        VALUES (1, 1, '1.2', 1, 'r', 1, 'runModel', 'm', 'done', 0, 5), (2, 1, '1.2', 1, 'r', 1, 'runModel', 'm', 'done', 0, 6),
               (3, 1, '1.2', 1, 'r', 1, 'runModel', 'm', 'failed', 0, 7);`);
    const object = old.prepare(`INSERT INTO result_objects (job_id, kind, sop_class_uid, sop_instance_uid, series_instance_uid, transfer_syntax_uid,
      path, size, created_at) VALUES (?, ?, '1.2.3', ?, '9', '1.2.840.10008.1.2.1', '/x', 1, 0)`);
    const delivery = old.prepare(`INSERT INTO deliveries (job_id, destination_id, sop_class_uid, sop_instance_uid, transfer_syntax_uid, path, state,
      next_attempt_at, created_at, updated_at) VALUES (?, 'pacs', '1.2.3', ?, '1.2.840.10008.1.2.1', '/x', ?, 0, 0, 0)`);
    for (const job of [1, 2]) for (const kind of ['SEG', 'SR']) object.run(job, kind, `${job}.${kind}`);
    for (const kind of ['SEG', 'SR']) delivery.run(1, `1.${kind}`, 'delivered');
    delivery.run(2, '2.SEG', 'delivered');
    delivery.run(2, '2.SR', 'pending');
    old.close();

    const db = openDatabase(dir);
    expect(latestResultOfJob(db, 1)).toMatchObject({ revision: 1, state: 'delivered', qcState: 'none' });
    expect(latestResultOfJob(db, 2)).toMatchObject({ revision: 1, state: 'accepted' });
    expect(latestResultOfJob(db, 3)).toBeUndefined();
    expect(objectsOfResult(db, 2, 1).map((o) => o.kind)).toEqual(['SEG', 'SR']);
    const resultOf2 = latestResultOfJob(db, 2)!.id;
    expect(listDeliveries(db, { jobId: 2 }).map((d) => d.resultId)).toEqual([resultOf2, resultOf2]);
    db.close();
  });
});
