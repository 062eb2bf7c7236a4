// Typed facade over dcmjs (Part 10 read/write) and the dcmjs-codecs WebAssembly decoders.
// dcmjs ships no type declarations; loading it through createRequire keeps its loose types here
// instead of an ambient `declare module` that could clash with other folders' declarations.
import { createRequire } from 'node:module';
import type * as CodecsApi from 'dcmjs-codecs';
import { TS } from '../../dicom/uids.js';

const require = createRequire(import.meta.url);

export type Dataset = Record<string, unknown>;
/** dcmjs "denaturalized" form: tag hex -> { vr, Value } */
export type RawDict = Record<string, { vr: string; Value?: unknown[] }>;

interface DicomDictInstance {
  meta: RawDict;
  dict: RawDict;
  write(options?: Record<string, unknown>): ArrayBuffer;
}
interface DcmjsApi {
  data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictInstance;
    };
    DicomDict: new (meta: RawDict) => DicomDictInstance;
    DicomMetaDictionary: {
      naturalizeDataset(dict: RawDict): Dataset;
      denaturalizeDataset(dataset: Dataset): RawDict;
    };
  };
  log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
}

export const dcmjs = require('dcmjs') as DcmjsApi;
const codecsModule = require('dcmjs-codecs') as typeof CodecsApi;
export const { NativeCodecs, Context } = codecsModule;

// dcmjs writes to the console for every odd VR it meets (it then reads the element anyway);
// those are not events for our logs.
dcmjs.log.setLevel('error');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export const PIXEL_DATA_TAG = '7FE00010';

export interface ParsedInstance {
  transferSyntaxUid: string;
  /** naturalized data set without PixelData */
  dataset: Dataset;
  /** VR of PixelData as written (OB/OW), needed to undo big-endian byte order */
  pixelDataVr?: string;
  /** encapsulated: one buffer per fragment (or per frame when an offset table exists); native: one buffer */
  pixelData?: ArrayBuffer[];
}

/** Parse a Part 10 file; with headerOnly the parse stops at PixelData (cheap for the geometry pass). */
export function parsePart10(bytes: Uint8Array, headerOnly: boolean): ParsedInstance {
  // dcmjs wants an ArrayBuffer of the file alone: a whole-file read already is one, anything else is copied
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const buffer = whole ? (bytes.buffer as ArrayBuffer) : (bytes.buffer.slice(bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  // ignoreErrors: real archives hold odd character sets and VRs that do not affect pixels or geometry
  const message = dcmjs.data.DicomMessage.readFile(buffer, {
    ignoreErrors: true,
    untilTag: headerOnly ? PIXEL_DATA_TAG : null,
    includeUntilTagValue: false,
  });
  const transferSyntaxUid = String(message.meta['00020010']?.Value?.[0] ?? '').replace(/\0/g, '').trim();
  const pixelElement = message.dict[PIXEL_DATA_TAG];
  delete message.dict[PIXEL_DATA_TAG];
  const dataset = plainCopy(dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)) as Dataset;
  const parsed: ParsedInstance = { transferSyntaxUid, dataset };
  if (pixelElement && Array.isArray(pixelElement.Value) && pixelElement.Value.length > 0) {
    parsed.pixelDataVr = pixelElement.vr;
    parsed.pixelData = pixelElement.Value as ArrayBuffer[];
    if (parsed.pixelData.length === 1) checkNativePixelDataComplete(bytes, transferSyntaxUid,
      parsed.pixelData[0]!.byteLength);
  }
  return parsed;
}

/**
 * dcmjs zero-fills a native PixelData value that runs past the end of a truncated file; find the element's
 * header in the raw bytes and refuse when its declared length does not fit in the file.
 */
function checkNativePixelDataComplete(bytes: Uint8Array, ts: string, length: number): void {
  if (ts === TS.deflatedExplicitLittle || length === 0xffffffff) return; // deflated: offsets are not file offsets
  const big = ts === TS.explicitBig;
  const implicit = ts === TS.implicitLittle;
  const tag = big ? [0x7f, 0xe0, 0x00, 0x10] : [0xe0, 0x7f, 0x10, 0x00];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = bytes.indexOf(tag[0]!); at >= 0 && at + 12 <= bytes.length; at = bytes.indexOf(tag[0]!, at + 1)) {
    if (bytes[at + 1] !== tag[1] || bytes[at + 2] !== tag[2] || bytes[at + 3] !== tag[3]) continue;
    const valueAt = implicit ? at + 8 : at + 12;
    const declared = implicit ? view.getUint32(at + 4, true) : view.getUint32(at + 8, !big);
    if (declared !== length) continue;
    if (valueAt + declared > bytes.length) {
      throw new Error(`PixelData declares ${declared} bytes but the file ends ${valueAt + declared - bytes.length} bytes early (truncated)`);
    }
    return;
  }
}

/**
 * dcmjs decorates naturalized arrays (multi-valued elements, sequences) with extra properties that
 * structured clone rejects; headers must cross the worker boundary, so copy them into plain values.
 */
export function plainCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return Array.from(value, plainCopy);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v !== 'function') out[key] = plainCopy(v);
  return out;
}

let codecsReady: Promise<void> | undefined;
/** The WebAssembly module is compiled once per thread, on first need. */
export function ensureCodecs(): Promise<void> {
  codecsReady ??= NativeCodecs.initializeAsync({
    webAssemblyModulePathOrUrl: require.resolve('dcmjs-codecs/build/dcmjs-native-codecs.wasm'),
  });
  return codecsReady;
}
