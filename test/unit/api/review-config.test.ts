// The review gate's configuration: the reviewer token from REVIEWER_TOKEN, the viewer link template checked at
// start-up and filled per result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { viewerUrl } from '../../../src/api/routes/results-view.js';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import type { JobRow } from '../../../src/db/jobs.js';

const job = { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4' } as JobRow;

describe('review configuration', () => {
  it('has no reviewer token and no viewer link by default; REVIEWER_TOKEN sets the token', () => {
    const c = loadConfig({});
    expect([c.admin.reviewerToken, c.review.viewerUrlTemplate]).toEqual(['', '']);
    expect(loadConfig({ REVIEWER_TOKEN: 'a-reviewer-token-of-32-characters' }).admin.reviewerToken).toBe(
      'a-reviewer-token-of-32-characters');
  });

  it('refuses a short reviewer token and a viewer template that is not an http(s) URL, naming the keys', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'c.json');
    fs.writeFileSync(file,
      JSON.stringify({ admin: { reviewerToken: 'short' }, review: { viewerUrlTemplate: 'javascript:alert(1)' } }));
    let error: ConfigError | undefined;
    try { loadConfig({ CONFIG_FILE: file }); } catch (err) { error = err as ConfigError; }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.some((p) => p.startsWith('admin>reviewerToken'))).toBe(true);
    expect(error!.problems.some((p) => p.startsWith('review>viewerUrlTemplate'))).toBe(true);
  });

  it('fills {StudyInstanceUID} and {SeriesInstanceUID} into the viewer link, or gives none without a template', () => {
    expect(viewerUrl('http://pacs:3000/viewer?StudyInstanceUIDs={StudyInstanceUID}', job)).toBe(
      'http://pacs:3000/viewer?StudyInstanceUIDs=1.2.3');
    expect(viewerUrl('https://v/s/{StudyInstanceUID}/se/{SeriesInstanceUID}', job)).toBe(
      'https://v/s/1.2.3/se/1.2.3.4');
    expect(viewerUrl('', job)).toBeNull();
  });
});
