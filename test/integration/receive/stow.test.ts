// STOW-RS against the running node with real multipart bodies: 200 / 202 / 409 / 415 / 400 / 401.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLayout } from '../../support/dcmtk.js';
import { startNode, testdata, type RunningNode } from '../../support/node-process.js';

const ct = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const truncated = path.join(testdata, 'pydicom/MR_truncated.dcm');
const noSopUids = path.join(testdata, 'pydicom/no_meta_group_length.dcm');
const noMeta = path.join(testdata, 'pydicom/rtstruct.dcm');

function multipart(files: string[], boundary = `b-${crypto.randomUUID()}`): { body: Buffer; contentType: string } {
  const parts = files.flatMap((f) =>
    [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), fs.readFileSync(f), Buffer.from('\r\n')]);
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

async function stow(node: RunningNode, body: Buffer, contentType: string, urlPath = '/dicomweb/studies',
  headers: Record<string, string> = {}) {
  const res =
    await fetch(node.url(urlPath), { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: text ? JSON.parse(text) : undefined };
}

const failureReasons = (json: any): number[] => (json['00081198']?.Value ?? []).map((i: any) => i['00081197'].Value[0]);
const tmpEmpty = (node: RunningNode) => fs.readdirSync(node.tmpDir).length === 0;

describe('DICOMweb STOW-RS', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode(); });
  afterAll(async () => { await node?.stop(); });

  it('stores every part and answers 200 with the stored instances; files are the bytes sent', async () => {
    const { body, contentType } = multipart(ct);
    const r = await stow(node, body, contentType);
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/dicom+json');
    const refs = r.json['00081199'].Value;
    expect(refs).toHaveLength(3);
    const layout = await datasetLayout(ct);
    for (const f of ct) {
      const sop = layout.get(f)!.sop;
      expect(refs.some((i: any) => i['00081155'].Value[0] === sop)).toBe(true);
      const stored = fs.readdirSync(path.join(node.dataDir, 'studies'), { recursive: true }).map(String)
        .find((p) => p.endsWith(`${sop}.dcm`));
      expect(fs.readFileSync(path.join(node.dataDir, 'studies', stored!)).equals(fs.readFileSync(f))).toBe(true);
    }
  });

  it('answers 202 when some parts fail, naming why (truncated data set → 0xC210)', async () => {
    const { body, contentType } = multipart([path.join(testdata, 'pydicom/CT_small.dcm'), truncated]);
    const r = await stow(node, body, contentType);
    expect(r.status).toBe(202);
    expect(r.json['00081199'].Value).toHaveLength(1);
    expect(failureReasons(r.json)).toEqual([0xc210]);
    expect(r.json['00081198'].Value[0]['00000902'].Value[0]).toMatch(/STORE_UNPARSEABLE/);
    expect(tmpEmpty(node)).toBe(true);
  });

  it('answers 409 when no part is stored: instances of another study than the URL names', async () => {
    const { body, contentType } = multipart(ct);
    const r = await stow(node, body, contentType, '/dicomweb/studies/1.2.3.4.5.6.7');
    expect(r.status).toBe(409);
    expect(failureReasons(r.json)).toHaveLength(3);
    expect(r.json['00081198'].Value[0]['00000902'].Value[0]).toMatch(/STORE_STUDY_MISMATCH/);
  });

  it('rejects broken files with specific reasons and keeps nothing of them', async () => {
    const { body, contentType } = multipart([noSopUids, noMeta]);
    const r = await stow(node, body, contentType);
    expect(r.status).toBe(409);
    expect(failureReasons(r.json)).toEqual([0xa900, 0xc210]);
    expect(tmpEmpty(node)).toBe(true);
  });

  it('answers 415 to a body that is not multipart/related application/dicom', async () => {
    expect((await stow(node, Buffer.from('{}'), 'application/json')).status).toBe(415);
    const { body } = multipart(ct);
    expect((await stow(node, body, 'multipart/related; type="application/dicom+xml"; boundary=x')).status).toBe(415);
  });

  it('answers 400 to malformed multipart and keeps nothing partial', async () => {
    const noBoundary = await stow(node, Buffer.from('x'), 'multipart/related; type="application/dicom"');
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.json.code).toBe('STOW_MALFORMED_MULTIPART');
    const { body, contentType } = multipart(ct);
    const cut = await stow(node, body.subarray(0, 200_000), contentType);
    expect(cut.status).toBe(400);
    expect(cut.json.detail).toMatch(/closing boundary/);
    expect(tmpEmpty(node)).toBe(true);
    expect((await fetch(node.url('/api/health'))).status).toBe(200);
  });
});

describe('STOW-RS authentication', () => {
  let node: RunningNode;
  const token = 'a-long-enough-test-token';
  beforeAll(async () => { node = await startNode({ http: { stow: { auth: { type: 'bearer', token } } } }); });
  afterAll(async () => { await node?.stop(); });

  it('answers 401 without the bearer token and 200 with it', async () => {
    const { body, contentType } = multipart(ct.slice(0, 1));
    expect((await stow(node, body, contentType)).status).toBe(401);
    expect((await stow(node, body, contentType, '/dicomweb/studies', { authorization: `Bearer ${token}` })).status)
      .toBe(200);
  });
});

describe('models API', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode(); });
  afterAll(async () => { await node?.stop(); });

  it('lists the built-in models with their state and the provider really in use', async () => {
    const models = await (await node.api('/api/models')).json() as any[];
    const byId = Object.fromEntries(models.map((m) => [m.id, m]));
    expect(byId['ct-body-lung']).toMatchObject({ state: 'ready', provider: 'cpu' });
    expect(byId['unet3d-bench']).toMatchObject({ state: 'ready', clinical: false });
    expect(node.logs().some((l) => l.event === 'model.provider.fallback' && l.provider === 'cuda')).toBe(true);
  });
});
