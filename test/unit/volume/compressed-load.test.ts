// The pixel pass of compressed series: frames found in the raw bytes (fragments.ts) and decoded by decoders.ts give
// exactly the volume of the uncompressed twin. DCMTK (dcmcjpls, dcmcjpeg, dcmcrle) and pixelmed make the files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleSeriesVolume } from '../../../src/infer/volume/assemble.js';
import { Context, NativeCodecs, parsePart10 } from '../../../src/infer/volume/dcm.js';
import { prepareDecoders } from '../../../src/infer/volume/decoders.js';
import { encapsulatedFrames } from '../../../src/infer/volume/fragments.js';
import { VolumeError, type LoadedSeries } from '../../../src/infer/volume/index.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { realData, tempDir, writeEncapsulatedTwin } from './fixtures.js';

const tmp = tempDir('compressed-load');
const ct = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(realData, 'dcmqi-ct3', f)); // real signed CT
const mr = (f: string): string => path.join(realData, 'pydicom', f);
const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';
let enhanced = '';
afterAll(() => tmp.remove());

beforeAll(async () => {
  // a Legacy Converted Enhanced CT (pixelmed): functional-group sequences before PixelData, 5 frames
  const single = path.join(tmp.dir, 'single');
  await writeSyntheticCtSeries(single, { slices: 5, rows: 20, columns: 24 });
  const out = path.join(tmp.dir, 'enhanced');
  fs.mkdirSync(out);
  execFileSync('java',
    ['-cp', '/usr/share/java/pixelmed.jar', 'com.pixelmed.dicom.MultiFrameImageFactory', single, out],
    { stdio: 'pipe' });
  enhanced = path.join(out, fs.readdirSync(out)[0]!);
}, 120_000);

/** Each file compressed by a DCMTK tool into its own folder. */
function compress(files: string[], label: string, tool: string, ...opts: string[]): string[] {
  const dir = path.join(tmp.dir, label);
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const out = path.join(dir, path.basename(f));
    execFileSync(tool, [...opts, f, out], { stdio: 'pipe' });
    return out;
  });
}

const load = (files: string[]): Promise<LoadedSeries> => assembleSeriesVolume(files, { minSlices: 1 });

async function expectSameVolume(compressed: string[], original: string[]): Promise<void> {
  const [a, b] = await Promise.all([load(compressed), load(original)]);
  expect(a.volume.dims).toEqual(b.volume.dims);
  expect(Buffer.from(a.volume.data.buffer).equals(Buffer.from(b.volume.data.buffer))).toBe(true);
  expect(new Set(a.volume.data.subarray(0, 20_000)).size).toBeGreaterThan(10); // an image, not a blank
}

/** The loader's own frame finder, not the dcmjs fallback, handles the file: its frames are dcmjs's fragments. */
function expectFramesFound(file: string, frameCount: number): void {
  const frames = encapsulatedFrames(fs.readFileSync(file), frameCount);
  expect(frames).toHaveLength(frameCount);
  const fragments = parsePart10(fs.readFileSync(file), false).pixelData!.map((f) => Buffer.from(f));
  expect(Buffer.concat(frames!)).toEqual(Buffer.concat(fragments));
}

describe('compressed series load to the volume of their uncompressed twins', () => {
  it.each([
    ['JPEG-LS lossless', 'jls', 'dcmcjpls', ['+el']],
    ['JPEG-LS lossless, 16 KB fragments', 'jls-fs', 'dcmcjpls', ['+el', '+fs', '16']],
    ['JPEG lossless SV1 (.70)', 'j70', 'dcmcjpeg', ['+e1']],
    ['JPEG lossless any predictor (.57)', 'j57', 'dcmcjpeg', ['+el']],
    ['RLE', 'rle', 'dcmcrle', []],
  ])('real CT as %s', async (_name, label, tool, opts) => {
    const files = compress(ct, label, tool, ...opts);
    for (const f of files) expectFramesFound(f, 1);
    await expectSameVolume(files, ct);
  }, 60_000);

  it.each(['MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_RLE.dcm'])(
    '%s (pydicom corpus) = MR_small.dcm', async (file) => {
      expectFramesFound(mr(file), 1);
      await expectSameVolume([mr(file)], [mr('MR_small.dcm')]);
    });

  it('real CT as HTJ2K lossless (.201, codestreams from dcmjs-codecs\' HTJ2K encoder)', async () => {
    await prepareDecoders();
    const files = ct.map((f) => {
      const stored = new Uint8Array(parsePart10(fs.readFileSync(f), false).pixelData![0]!);
      const context = new Context({
        width: 512, height: 512, bitsAllocated: 16, bitsStored: 16, samplesPerPixel: 1, pixelRepresentation: 1,
        planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2', decodedBuffer: stored,
      });
      const codestream = NativeCodecs.encodeHtJpeg2000(context, { lossy: false }).getEncodedBuffer()!;
      // a Part 15 codestream: SOC, then a CAP marker segment in the main header
      expect([codestream[0], codestream[1]]).toEqual([0xff, 0x4f]);
      expect(Buffer.from(codestream.subarray(0, 200)).indexOf(Buffer.from([0xff, 0x50]))).toBeGreaterThan(0);
      const out = path.join(tmp.dir, `htj2k-${path.basename(f)}`);
      writeEncapsulatedTwin(f, out, HTJ2K_LOSSLESS, codestream);
      return out;
    });
    for (const f of files) expectFramesFound(f, 1);
    await expectSameVolume(files, ct);
  }, 60_000);

  it.each([
    ['one fragment per frame', 'mf-ff', []],
    ['1 KB fragments with an offset table', 'mf-ot', ['+fs', '1']],
    ['1 KB fragments, empty offset table (frames found by their SOI markers)', 'mf-noot', ['+fs', '1', '-ot']],
  ])('enhanced multi-frame CT as JPEG-LS, %s, undefined-length sequences', async (_name, label, opts) => {
    const [file] = compress([enhanced], label, 'dcmcjpls', '+el', '-e', ...opts);
    expectFramesFound(file!, 5);
    await expectSameVolume([file!], [enhanced]);
  }, 60_000);
});

describe('compressed pixel data that cannot be decoded is refused with a code', () => {
  async function refusal(files: string[]): Promise<VolumeError> {
    const err = await load(files).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeError);
    return err as VolumeError;
  }

  it.each([['JPEG-LS', 'dcmcjpls', ['+el']], ['JPEG lossless', 'dcmcjpeg', ['+e1']], ['RLE', 'dcmcrle', []]] as const)(
    'a %s frame whose first 64 bytes are zeroed is UNSUPPORTED_PIXEL_DATA',
    async (label, tool, opts) => {
      const [file] = compress([ct[0]!], `bad-${label}`, tool, ...opts);
      const bytes = fs.readFileSync(file!);
      // a view into `bytes`: the codestream's header (RLE: its segment table)
      encapsulatedFrames(bytes, 1)![0]!.fill(0, 0, 64);
      fs.writeFileSync(file!, bytes);
      const err = await refusal([file!]);
      expect(err.code).toBe('UNSUPPORTED_PIXEL_DATA');
    },
  );

  it('a compressed file cut short is refused with a code (the dcmjs fallback\'s READ_FAILED or UNSUPPORTED_PIXEL_DATA)', async () => {
    const [file] = compress([ct[0]!], 'cut', 'dcmcjpls', '+el');
    fs.writeFileSync(file!, fs.readFileSync(file!).subarray(0, 100_000));
    expect(encapsulatedFrames(fs.readFileSync(file!), 1)).toBeUndefined();
    const err = await refusal([file!]);
    expect(['READ_FAILED', 'UNSUPPORTED_PIXEL_DATA']).toContain(err.code);
  });
});
