// Shared by the Review page tests: a real node with a reviewer token, a viewer link template and a
// DCMTK storescp as the archive, one runModel rule, synthetic CT series sent with storescu.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { startReferenceScp, storescu } from '../support/dcmtk.js';
import {
  ADMIN_TOKEN, READ_ONLY_TOKEN, repoRoot, startNode, waitFor, type RunningNode,
} from '../support/node-process.js';

export const REVIEWER_TOKEN = 'reviewer-token-for-tests-0123456';
export const VIEWER_TEMPLATE = 'http://viewer.invalid/viewer?StudyInstanceUIDs={StudyInstanceUID}';
export const outDir = path.join(repoRoot, 'test-output/review');

export interface Result {
  id: number; jobId: number; revision: number; state: string; studyInstanceUid: string; modelId: string; ruleId: string;
  heldReason: string | null;
  qc: { state: string; reasons: Array<{ segment: string; check: string; message: string }> };
  segments: Array<{ label: string; present: boolean; volumeMl: number | null; qc: string }>;
  previews: Array<{ n: number; title: string; url: string }>;
  objects: Array<{ sopInstanceUid: string }>;
  deliveries: Array<{ state: string }>;
  history: Array<{ actor: string; action: string; from: string | null; to: string; reason: string | null }>;
}

type Init = RequestInit & { token?: string };

export interface ReviewNode {
  node: RunningNode;
  /** the storescp that plays the archive: `received()` lists the files it was sent */
  scp: Awaited<ReturnType<typeof startReferenceScp>>;
  received: () => string[];
  api: <T = any>(p: string, init?: Init) => Promise<{ status: number; body: T }>;
  result: (id: number) => Promise<Result>;
  /** Writes a fresh synthetic CT study and sends it with storescu; returns its StudyInstanceUID. */
  sendStudy: (name: string, callingAe?: string) => Promise<string>;
  /** Waits until the results in `state` are exactly `count`, and returns them. */
  resultsIn: (state: string, count: number) => Promise<Result[]>;
  stop: () => Promise<void>;
}

/**
 * `action` overrides fields of the rule's runModel action (e.g. review, destinations); `checks`
 * replaces the QC checks of ct-body-lung's segments (by label) in a copy of the model.
 */
export async function startReviewNode(
  action: Record<string, unknown>, checks?: Record<string, unknown>,
): Promise<ReviewNode> {
  fs.mkdirSync(outDir, { recursive: true });
  const scp = await startReferenceScp();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-page-'));
  fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify({ rules: [] }));
  const node = await startNode({
    ...(checks ? { models: { dir: modelWithChecks(dir, checks) } } : {}),
    admin: { adminToken: ADMIN_TOKEN, readOnlyToken: READ_ONLY_TOKEN, reviewerToken: REVIEWER_TOKEN },
    routing: { rulesFile: path.join(dir, 'rules.json') },
    review: { viewerUrlTemplate: VIEWER_TEMPLATE },
    completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 },
    runner: { pollIntervalMs: 200 },
    export: { retry: { baseSeconds: 0.2, maxSeconds: 0.5, maxAttempts: 10 } },
  }, { dataDir: dir });
  const api = async <T = any>(p: string, init: Init = {}) => {
    const res = await fetch(node.url(p), {
      ...init, headers: { Authorization: `Bearer ${init.token ?? ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const archive = {
    id: 'archive', name: 'Reference archive', type: 'dimse', aeTitle: 'REFSCP', host: '127.0.0.1', port: scp.port,
  };
  expect((await api('/api/destinations', { method: 'POST', body: JSON.stringify(archive) })).status).toBe(201);
  const rule = {
    id: 'ct-reviewed', name: 'CT body and lung, reviewed', enabled: true, priority: 10, then: 'stop',
    when: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] },
    actions: [{
      type: 'runModel', model: 'ct-body-lung', series: { pick: 'thinnest' }, outputs: ['SEG', 'SR'],
      destinations: ['archive'], ...action,
    }],
  };
  const created = await api('/api/rules', { method: 'POST', body: JSON.stringify(rule) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return {
    node, scp, api,
    received: () => fs.readdirSync(scp.dir).filter((f) => !f.startsWith('.')),
    result: async (id) => (await api<Result>(`/api/results/${id}`)).body,
    sendStudy: async (name, callingAe) => {
      // 160² × 40 at 2 mm: the model's own grid (2 mm), big enough that body and lung are found
      const series = await writeSyntheticCtSeries(path.join(dir, name),
        { slices: 40, rows: 160, columns: 160, pixelSpacing: 2, sliceSpacing: 2 });
      const sent = await storescu(node.dimsePort, series.files, { callingAe });
      expect(sent.code, sent.stderr).toBe(0);
      return series.studyInstanceUid;
    },
    resultsIn: (state, count) => waitFor(`${count} results ${state}`, async () => {
      const r = await api<Result[]>(`/api/results?state=${state}`);
      return r.status === 200 && r.body.length === count ? r.body : undefined;
    }, 240_000),
    stop: async () => {
      await node.stop();
      scp.stop();
    },
  };
}

/** A models folder holding ct-body-lung with its segments' checks replaced (same weights, same id). */
function modelWithChecks(dir: string, checks: Record<string, unknown>): string {
  const models = path.join(dir, 'models');
  const copy = path.join(models, 'ct-body-lung');
  fs.cpSync(path.join(repoRoot, 'models/ct-body-lung'), copy, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'model.json'), 'utf8'));
  for (const segment of manifest.segments) if (segment.label in checks) segment.checks = checks[segment.label];
  fs.writeFileSync(path.join(copy, 'model.json'), JSON.stringify(manifest, null, 2));
  return models;
}

export async function logIn(p: Page, node: RunningNode, tokenValue: string): Promise<void> {
  await p.goto(node.url('/admin/'));
  await p.getByLabel('Access token').fill(tokenValue);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('navigation', { name: 'Sections' }).waitFor();
}

export const openSection = (p: Page, name: string) =>
  p.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();

/** The id of the element that has the keyboard focus. */
export const focusedId = (p: Page) => p.evaluate(() => document.activeElement?.id);
