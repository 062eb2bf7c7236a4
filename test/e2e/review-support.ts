// Steps shared by the review-gate end-to-end tests: a result of a job from the results API, decisions posted with
// a token of a given role, and a models folder whose copy of the built-in model declares checks a CT always fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, waitFor, type RunningNode } from '../support/node-process.js';

export const REVIEWER_TOKEN = 'reviewer-token-for-tests-0123456';

/** POST with a JSON body as `token` (default: the node's admin token). */
export function postAs(node: RunningNode, p: string, body?: unknown, token = node.adminToken): Promise<Response> {
  return fetch(node.url(p), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The result of the job once it is in `state` (any state when omitted), as GET /api/results/{id} shows it. */
export async function resultOfJob(node: RunningNode, jobId: number, state?: string, timeoutMs = 60_000): Promise<any> {
  return waitFor(`result of job ${jobId}${state ? ` in ${state}` : ''}`, async () => {
    const list = (await (await node.api('/api/results?limit=1000')).json()) as any[];
    const found = list.find((r) => r.jobId === jobId && (!state || r.state === state));
    return found ? (await node.api(`/api/results/${found.id}`)).json() : undefined;
  }, timeoutMs);
}

/** The seeded ct-body-lung rule with other destinations and extra runModel fields (review, onQcFail, model). */
export function ctRule(destinations: string[], extra: Record<string, unknown> = {}): Record<string, any> {
  const { rules } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'config/rules.json'), 'utf8'));
  const rule = rules.find((r: any) => r.id === 'ct-body-lung');
  return { ...rule, actions: rule.actions.map((a: any) => ({ ...a, destinations, ...extra })) };
}

export async function putRule(node: RunningNode, rule: Record<string, any>): Promise<void> {
  const res = await node.api(`/api/rules/${rule.id}`,
    { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  if (res.status !== 200) throw new Error(`PUT /api/rules/${rule.id} → ${res.status}: ${await res.text()}`);
}

/**
 * A models folder with the built-in ct-body-lung as it is and a copy, ct-body-lung-strict, whose Body segment must
 * be under 1 ml: every real CT fails that check.
 */
export function modelsWithStrictCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-models-'));
  const source = path.join(repoRoot, 'models/ct-body-lung');
  fs.cpSync(source, path.join(dir, 'ct-body-lung'), { recursive: true });
  const strict = path.join(dir, 'ct-body-lung-strict');
  fs.cpSync(source, strict, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(strict, 'model.json'), 'utf8'));
  manifest.id = 'ct-body-lung-strict';
  manifest.segments.find((s: any) => s.label === 'Body').checks = { volumeMl: { max: 1 } };
  fs.writeFileSync(path.join(strict, 'model.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Every ReferencedSOPInstanceUID under a sequence named `sequence`, anywhere in Orthanc's simplified tags. */
export function referencedInstances(tags: unknown, sequence: string): string[] {
  const found: string[] = [];
  const walk = (v: unknown, inside: boolean) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, inside));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'ReferencedSOPInstanceUID' && inside && typeof x === 'string') found.push(x);
      walk(x, inside || k === sequence);
    }
  };
  walk(tags, false);
  return found;
}
