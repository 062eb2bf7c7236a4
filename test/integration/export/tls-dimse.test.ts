// TLS export to DCMTK storescp +tls: C-STORE byte for byte, mutual TLS, a CA that did not sign the peer, C-ECHO.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBatch, type DimseDestination } from '../../../src/export/dimse-sender.js';
import { verifyDestination } from '../../../src/export/verify.js';
import { freePort, waitFor } from '../../support/node-process.js';
import { enqueueFiles, expectByteIdentical, rows, startHarness, type Harness } from './harness.js';
import { makePki, pem, received, seg, sr, startTlsScp, type TlsScp } from './tls-peer.js';

describe('C-STORE and C-ECHO over TLS to DCMTK storescp +tls', () => {
  let serverAuth: TlsScp; // verifies nothing of ours: plain server-authenticated TLS
  let mutual: TlsScp; // requires a client certificate signed by our CA
  let badCaPeer: TlsScp; // a peer we must refuse: our CA file names another CA
  let h: Harness;
  const dest = (id: string, port: number, tls: Partial<DimseDestination>): DimseDestination =>
    ({ id, name: id, type: 'dimse', aeTitle: 'TLSSCP', host: '127.0.0.1', port, tls: true, ...tls });
  beforeAll(async () => {
    makePki();
    [serverAuth, mutual, badCaPeer] = await Promise.all([startTlsScp(['-ic']),
      startTlsScp(['-rc', '+cf', pem('ca.crt')]), startTlsScp(['-ic'])]);
    h = startHarness([
      dest('tls', serverAuth.port, { tlsCaFile: pem('ca.crt') }),
      dest('mtls', mutual.port,
        { tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'), tlsKeyFile: pem('client.key') }),
      dest('mtls-no-cert', mutual.port, { tlsCaFile: pem('ca.crt') }),
      dest('bad-ca', badCaPeer.port, { tlsCaFile: pem('other-ca.crt') }),
    ], { batchSize: 10 });
  });
  afterAll(async () => { await h?.stop(); for (const s of [serverAuth, mutual, badCaPeer]) s?.child.kill(); });

  it('delivers a SEG and an SR over TLS, verifying the peer against tlsCaFile, byte-identical in one association',
    async () => {
      await enqueueFiles(h, 'tls', [seg, sr]);
      await waitFor('delivered over TLS', () => rows(h, 'tls').every((r) => r.state === 'delivered') || undefined);
      expect(rows(h, 'tls').map((r) => r.attempts)).toEqual([1, 1]);
      await expectByteIdentical([seg, sr], received(serverAuth));
      expect(serverAuth.output().match(/Association Received/g)).toHaveLength(1);
    });

  it('mutual TLS: delivered with the client certificate; without one the peer refuses it, final (not retried)',
    async () => {
      await enqueueFiles(h, 'mtls', [seg]);
      await enqueueFiles(h, 'mtls-no-cert', [sr]);
      await waitFor('both settled', () => [...rows(h, 'mtls'), ...rows(h, 'mtls-no-cert')].every(
        (r) => r.state === 'delivered' || r.state === 'failed-permanent') || undefined);
      expect(rows(h, 'mtls')[0]).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(rows(h, 'mtls-no-cert')[0]).toMatchObject({ state: 'failed-permanent', attempts: 1 });
      expect(rows(h, 'mtls-no-cert')[0].lastError)
        .toMatch(/TLS: TLSSCP@127\.0\.0\.1:\d+ refused the handshake \(alert: certificate required\)/);
      await expectByteIdentical([seg], received(mutual));
    });

  it('a CA that did not sign the peer certificate: failed-permanent after one attempt, naming the problem; '
    + 'storescp got nothing', async () => {
    await enqueueFiles(h, 'bad-ca', [seg, sr]);
    await waitFor('bad-ca settled',
      () => rows(h, 'bad-ca').every((r) => r.state !== 'pending' && r.attempts > 0) || undefined);
    await new Promise((r) => setTimeout(r, 1500)); // a retry (base 0.2 s) would show as a second attempt by now
    for (const row of rows(h, 'bad-ca')) {
      expect(row).toMatchObject({ state: 'failed-permanent', attempts: 1 });
      expect(row.lastError)
        .toMatch(/certificate of TLSSCP@127\.0\.0\.1:\d+ did not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    }
    expect(received(badCaPeer)).toEqual([]);
    expect(badCaPeer.output()).not.toMatch(/Association Received/);
    expect(h.logs.some((l) => l.event === 'export.retry' && l.destinationId === 'bad-ca')).toBe(false);
  });

  it('verify (C-ECHO) over TLS: ok for the good destinations, a clear error for a bad CA or a missing client '
    + 'certificate', async () => {
    const good = await verifyDestination(dest('v-tls', serverAuth.port, { tlsCaFile: pem('ca.crt') }), 'AI_NODE_TEST');
    expect(good).toMatchObject({ ok: true,
      detail: expect.stringMatching(/C-ECHO to TLSSCP@127\.0\.0\.1:\d+ over TLS succeeded/) });
    const mtls = await verifyDestination(dest('v-mtls', mutual.port,
      { tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'), tlsKeyFile: pem('client.key') }), 'AI_NODE_TEST');
    expect(mtls.ok, mtls.detail).toBe(true);
    const badCa =
      await verifyDestination(dest('v-bad', badCaPeer.port, { tlsCaFile: pem('other-ca.crt') }), 'AI_NODE_TEST');
    expect(badCa).toMatchObject({ ok: false, detail: expect.stringMatching(
      /did not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\)/) });
    const noCert = await verifyDestination(dest('v-nocert', mutual.port, { tlsCaFile: pem('ca.crt') }), 'AI_NODE_TEST');
    expect(noCert).toMatchObject({ ok: false, detail: expect.stringMatching(/alert: certificate required/) });
    // Our own certificate checks, not the peer's leniency: a peer certificate for another name is refused.
    const otherName = await verifyDestination(
      { ...dest('v-name', serverAuth.port, { tlsCaFile: pem('ca.crt') }), host: '127.0.0.2' }, 'AI_NODE_TEST');
    expect(otherName).toMatchObject({ ok: false,
      detail: expect.stringMatching(/did not verify \(ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match/) });
  });

  it('a refused connection stays retryable; an unreadable PEM file is final and names the file', async () => {
    const closed = await freePort();
    const [refused] = await storeBatch(dest('closed', closed, { tlsCaFile: pem('ca.crt') }),
      [{ path: seg, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUid: '2.25.7',
      transferSyntaxUid: '1.2.840.10008.1.2.1' }], 'AI_NODE_TEST');
    expect(refused).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/ECONNREFUSED/) });
    const missing = pem('gone/ca.crt');
    const [unreadable] = await storeBatch(dest('gone', serverAuth.port, { tlsCaFile: missing }),
      [{ path: seg, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUid: '2.25.8',
      transferSyntaxUid: '1.2.840.10008.1.2.1' }], 'AI_NODE_TEST');
    expect(unreadable).toEqual({ kind: 'permanent', reason: `cannot read the TLS CA file '${missing}': ENOENT` });
  });
});
