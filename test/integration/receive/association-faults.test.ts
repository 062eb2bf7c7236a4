// Faults 1 and 2 of issue 15 on the running node: a repeated A-ASSOCIATE-RQ, and malformed
// association openings. The peer is a raw TCP socket (test/support/raw-association.ts): DCMTK
// cannot be made to send a second A-ASSOCIATE-RQ or a malformed one, so these PDUs are handmade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../../support/dcmtk.js';
import { handcraftedCases, mutatedCases, associateRq, type MalformedCase } from '../../support/malformed-associate.js';
import { startNode, type RunningNode } from '../../support/node-process.js';
import { RawPeer } from '../../support/raw-association.js';

const SLOTS = 3;
// Generous: an answer comes at once; the bound only keeps a silent node from hanging the test.
const ANSWER_WITHIN_MS = 5000;
const answerName: Record<number, string> = { 0x02: 'accept', 0x03: 'reject', 0x07: 'abort' };

/** All SLOTS associations can be opened, and one more is refused as over the limit. */
async function slotsBalance(node: RunningNode): Promise<void> {
  const holders = await Promise.all(Array.from({ length: SLOTS }, () => RawPeer.connect(node.dimsePort)));
  try {
    for (const h of holders) expect(await h.associate(node.aeTitle)).toBe(0x02);
    const extra = await RawPeer.connect(node.dimsePort);
    expect(await extra.associate(node.aeTitle)).toBe(0x03);
    extra.destroy();
  } finally {
    for (const h of holders) h.destroy();
  }
}

async function waitForIdleSlots(node: RunningNode): Promise<void> {
  // Closing is asynchronous on the node's side; an echo that gets through shows a slot is free.
  for (let i = 0; i < 50; i++) {
    const holders = await Promise.all(Array.from({ length: SLOTS }, () => RawPeer.connect(node.dimsePort)));
    const answers = await Promise.all(holders.map((h) => h.associate(node.aeTitle)));
    for (const h of holders) h.destroy();
    if (answers.every((a) => a === 0x02)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a repeated A-ASSOCIATE-RQ', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode({ dicom: { maxAssociations: SLOTS } }); });
  afterAll(async () => { await node?.stop(); });

  it('is a protocol error: the node answers A-ABORT and closes', async () => {
    const peer = await RawPeer.connect(node.dimsePort);
    expect(await peer.associate(node.aeTitle)).toBe(0x02);
    peer.write(associateRq(undefined, {}, node.aeTitle));
    expect((await peer.readPdu(ANSWER_WITHIN_MS))?.type).toBe(0x07);
    expect(await peer.waitClosed()).toBe(true);
  });

  it('leaves every slot usable after twenty such connections', async () => {
    for (let i = 0; i < 20; i++) {
      const peer = await RawPeer.connect(node.dimsePort);
      await peer.associate(node.aeTitle);
      peer.write(associateRq(undefined, {}, node.aeTitle));
      peer.write(associateRq(undefined, {}, node.aeTitle));
      await peer.waitClosed();
      peer.destroy();
    }
    await waitForIdleSlots(node);
    await slotsBalance(node);
    expect((await echoscu(node.dimsePort)).code).toBe(0);
  });
});

describe('malformed association openings', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode({ dicom: { maxAssociations: SLOTS, pduTimeoutMs: 2000 } }); });
  afterAll(async () => { await node?.stop(); });

  const cases = (aeTitle: string): MalformedCase[] => [...handcraftedCases(aeTitle), ...mutatedCases(aeTitle, 30)];

  it('has a fixed corpus of at least 60 handcrafted cases and 30 seeded mutations', () => {
    expect(handcraftedCases('DICOM_AI_NODE').length).toBeGreaterThanOrEqual(60);
    expect(mutatedCases('DICOM_AI_NODE', 30).map((c) => c.bytes.toString('hex')))
      .toEqual(mutatedCases('DICOM_AI_NODE', 30).map((c) => c.bytes.toString('hex')));
  });

  it('answers every one at once with A-ASSOCIATE-RJ or A-ABORT (or accepts a well-formed one)', async () => {
    const silent: string[] = [];
    const wrong: string[] = [];
    for (const c of cases(node.aeTitle)) {
      const peer = await RawPeer.connect(node.dimsePort);
      peer.write(c.bytes);
      if (c.halfClose) peer.socket.end();
      const answer = answerName[(await peer.readPdu(ANSWER_WITHIN_MS))?.type ?? -1];
      if (!answer) silent.push(c.name);
      else if (c.expect !== 'answer' && answer !== c.expect) wrong.push(`${c.name}: ${answer}, expected ${c.expect}`);
      else if (answer !== 'accept' && !(await peer.waitClosed(ANSWER_WITHIN_MS)))
        wrong.push(`${c.name}: connection left open after ${answer}`);
      peer.destroy();
    }
    expect(silent, 'cases with no answer').toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('aborts a PDU the peer stops sending in the middle, once the PDU timeout passes', async () => {
    const peer = await RawPeer.connect(node.dimsePort);
    peer.write(associateRq(undefined, {}, node.aeTitle).subarray(0, 50));
    expect((await peer.readPdu(ANSWER_WITHIN_MS))?.type).toBe(0x07);
    expect(await peer.waitClosed()).toBe(true);
  });

  it('stays up with every slot usable afterwards', async () => {
    await waitForIdleSlots(node);
    await slotsBalance(node);
    expect((await echoscu(node.dimsePort)).code).toBe(0);
    expect((await fetch(node.url('/api/health'))).status).toBe(200);
  });
});
