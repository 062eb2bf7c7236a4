// bench:load's JPEG 2000 lane: the series made with OpenJPEG's opj_compress (the codestream wrapped as one
// fragment under the J2K syntax) and decoded natively by opj_decompress over a folder, one process a lane.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { scanPart10Bytes } from '../src/dicom/header-scan.js';
import { dcmjs } from '../src/infer/volume/dcm.js';
import { TransferSyntax } from '../src/synthetic/index.js';

const run = promisify(execFile);
export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * J2K: opj_compress (default: lossless 5/3, 6 resolutions) on the raw frame; the codestream wrapped as one fragment.
 */
export async function j2kCompress(src: string, dst: string, scratch: string): Promise<void> {
  const bytes = fs.readFileSync(src);
  const at = scanPart10Bytes(bytes).pixelData!;
  const base = path.join(scratch, path.basename(src, '.dcm'));
  fs.writeFileSync(`${base}.rawl`, bytes.subarray(at.valueAt, at.valueAt + at.length));
  await run('opj_compress', ['-i', `${base}.rawl`, '-F', '512,512,1,16,s', '-o', `${base}.j2k`]);
  fs.rmSync(`${base}.rawl`);
  fs.writeFileSync(dst, encapsulate(bytes.subarray(0, at.valueAt - 12), fs.readFileSync(`${base}.j2k`)));
}

/** Header of the native file re-written under the J2K syntax, then (7FE0,0010) OB: empty offset table, one fragment. */
function encapsulate(header: Buffer, codestream: Buffer): Buffer {
  const msg = dcmjs.data.DicomMessage.readFile(new Uint8Array(header).buffer, { untilTag: '7FE00010' });
  msg.meta['00020010'] = { vr: 'UI', Value: [TransferSyntax.jpeg2000Lossless] };
  const out = new dcmjs.data.DicomDict(msg.meta);
  out.dict = msg.dict;
  const fragment = Buffer.concat([codestream, Buffer.alloc(codestream.length % 2)]);
  const element = Buffer.alloc(12 + 8 + 8 + 8);
  element.writeUInt32LE(0x00107fe0, 0);
  element.write('OB', 4, 'latin1');
  element.writeUInt32LE(0xffffffff, 8);
  element.writeUInt32LE(0xe000fffe, 12);
  element.writeUInt32LE(0xe000fffe, 20);
  element.writeUInt32LE(fragment.length, 24);
  const delimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([Buffer.from(out.write()), element.subarray(0, 28), fragment, delimiter]);
}

/** opj_decompress over a folder of the lane's codestreams: one process, no per-frame start-up. */
export function opjLane(files: string[], out: string): string {
  for (const f of files) fs.linkSync(f.replace(/\.dcm$/, '.j2k'), path.join(out, path.basename(f, '.dcm') + '.j2k'));
  return `opj_decompress -ImgDir ${quote(out)} -OutFor RAWL -quiet > /dev/null`;
}
