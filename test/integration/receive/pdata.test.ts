// The node's own P-DATA-TF handling (after A-ASSOCIATE-AC the node reads every PDU itself), driven
// by a raw peer: DCMTK always fragments the same way and never breaks the DIMSE rules, so the odd
// but legal fragmentations and the violations here are built by hand (test/support/raw-association.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPart10File } from '../../../src/dicom/header-scan.js';
import { parseCommandSet } from '../../../src/dicom/command-set.js';
import { echoscu } from '../../support/dcmtk.js';
import { startNode, testdata, waitFor, type RunningNode } from '../../support/node-process.js';
import { pdu, pdv, RawPeer, storeCommandSet } from '../../support/raw-association.js';

// Explicit VR little endian CT, the one context the raw peer proposes (id 1).
const source = path.join(testdata, 'pydicom/CT_small.dcm');
const sourceBytes = fs.readFileSync(source);
const sourceHeader = scanPart10File(source);
const dataSet = sourceBytes.subarray(sourceHeader.datasetOffset);
const sopInstanceUid = sourceHeader.values.SOPInstanceUID!;

function storedFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'studies');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.dcm'))
    .map((f) => path.join(root, f));
}

/** Reads PDUs until a P-DATA-TF; returns its command set. */
async function response(peer: RawPeer): Promise<ReturnType<typeof parseCommandSet> & { status: number; raw: Buffer }> {
  const answer = await peer.readPdu();
  expect(answer?.type).toBe(0x04);
  const body = answer!.body;
  expect(body[5]).toBe(0x03); // command, last fragment
  const command = body.subarray(6, 4 + body.readUInt32BE(0));
  const at = command.indexOf(Buffer.from([0x00, 0x00, 0x00, 0x09, 0x02, 0x00, 0x00, 0x00]));
  return { ...parseCommandSet(command), status: command.readUInt16LE(at + 8), raw: command };
}

describe('P-DATA-TF read by the node itself', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode(); });
  afterAll(async () => { await node?.stop(); });

  it('stores a C-STORE fragmented every legal way byte for byte and answers Success after it', async () => {
    const peer = await RawPeer.connect(node.dimsePort);
    expect(await peer.associate(node.aeTitle, 'RAWPEER', 16384)).toBe(0x02);
    const command = storeCommandSet(sopInstanceUid);
    // the command in two PDUs, the second also carrying the first data fragment; then PDUs of
    // several small PDVs each, a PDU written in two parts, and an empty last fragment (how a PDU
    // splits into socket chunks is covered by the framer's and PDV reader's unit tests)
    const cuts = [0, 1, 2, 100, 101, 1000, 5000, dataSet.length];
    const fragments = cuts.slice(1).map((end, i) => dataSet.subarray(cuts[i], end));
    peer.write(pdu(0x04, pdv(1, 0x01, command.subarray(0, 10))));
    peer.write(pdu(0x04, Buffer.concat([pdv(1, 0x03, command.subarray(10)), pdv(1, 0x00, fragments[0])])));
    peer.write(pdu(0x04, Buffer.concat(fragments.slice(1, 5).map((f) => pdv(1, 0x00, f)))));
    const big = pdu(0x04, Buffer.concat(fragments.slice(5).map((f) => pdv(1, 0x00, f))));
    peer.write(big.subarray(0, 3));
    peer.write(big.subarray(3));
    peer.write(pdu(0x04, pdv(1, 0x02, Buffer.alloc(0))));
    const rsp = await response(peer);
    expect(rsp).toMatchObject({ commandField: 0x8001, status: 0x0000, affectedSopInstanceUid: sopInstanceUid,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2' });
    expect(rsp.raw.readUInt16LE(rsp.raw.indexOf(Buffer.from([0, 0, 0x20, 0x01])) + 8))
      .toBe(7); // Message ID Being Responded To

    peer.write(pdu(0x05, Buffer.alloc(4)));
    expect((await peer.readPdu())?.type).toBe(0x06); // A-RELEASE-RP, sent once the instance is visible
    expect(await peer.waitClosed()).toBe(true);
    const [stored] = storedFiles(node.dataDir);
    const kept = fs.readFileSync(stored);
    expect(kept.subarray(scanPart10File(stored).datasetOffset).equals(dataSet)).toBe(true);
    expect(node.logs().some((l) => l.event === 'dimse.association.released' && l.stored === 1)).toBe(true);
  });

  it('answers an operation it does not perform with 0x0211 after reading its data set, and stays usable', async () => {
    const peer = await RawPeer.connect(node.dimsePort);
    expect(await peer.associate(node.aeTitle)).toBe(0x02);
    const find = storeCommandSet('1.2.3.9');
    find.writeUInt16LE(0x0020, find.indexOf(Buffer.from([0, 0, 0, 0x01, 2, 0, 0, 0])) + 8); // C-FIND-RQ
    peer.write(pdu(0x04, Buffer.concat([pdv(1, 0x03, find), pdv(1, 0x02, Buffer.alloc(8))])));
    expect(await response(peer)).toMatchObject({ commandField: 0x8020, status: 0x0211 });
    peer.write(pdu(0x04, pdv(1, 0x03, storeCommandSet('1.2.3.10'))));
    peer.write(pdu(0x04, pdv(1, 0x02, Buffer.from('not a data set'))));
    expect((await response(peer)).status).toBe(0xc210); // the store's answer to an unparseable data set
    peer.destroy();
  });

  it.each([
    ['a data set fragment before any command', () => pdu(0x04, pdv(1, 0x02, Buffer.alloc(8)))],
    ['a PDV on a presentation context that was not accepted',
      () => pdu(0x04, pdv(3, 0x03, storeCommandSet('1.2.3.11')))],
    ['a command set that is not one', () => pdu(0x04, pdv(1, 0x03, Buffer.from('garbage!')))],
    ['a PDV whose length overruns its PDU', () => {
      const b = pdu(0x04, pdv(1, 0x03, Buffer.alloc(8))); b.writeUInt32BE(200, 6); return b; }],
    ['a second command while a data set is expected', () => Buffer.concat([
      pdu(0x04, pdv(1, 0x03, storeCommandSet('1.2.3.12'))), pdu(0x04, pdv(1, 0x03, storeCommandSet('1.2.3.13')))])],
  ])('aborts at once on %s, keeping nothing', async (_what, bytes) => {
    const peer = await RawPeer.connect(node.dimsePort);
    expect(await peer.associate(node.aeTitle)).toBe(0x02);
    const before = storedFiles(node.dataDir).length;
    peer.write(bytes());
    const answer = await peer.readPdu();
    expect(answer?.type).toBe(0x07); // A-ABORT
    expect(await peer.waitClosed()).toBe(true);
    await waitFor('temporary files removed', () => fs.readdirSync(node.tmpDir).length === 0 || undefined);
    expect(storedFiles(node.dataDir).length).toBe(before);
    expect((await echoscu(node.dimsePort)).code).toBe(0);
  });
});
