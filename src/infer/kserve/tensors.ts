// Tensor bytes of the Open Inference Protocol: datatype names, raw little-endian bytes ↔ typed values and JSON data.
import type { TensorDType } from '../manifest.js';


/** Manifest dtype → protocol datatype (Tensor Data Types of the specification). */
export const DATATYPE_OF: Record<TensorDType, string> = {
  float32: 'FP32', uint8: 'UINT8', int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64', bool: 'BOOL',
};

type NumericArray = Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array
  | Uint32Array;
const ARRAY_OF: Record<string, new (buffer: ArrayBuffer) => NumericArray> = {
  FP32: Float32Array, FP64: Float64Array, UINT8: Uint8Array, INT8: Int8Array, INT16: Int16Array, UINT16: Uint16Array,
  INT32: Int32Array, UINT32: Uint32Array, BOOL: Uint8Array,
};

/** Bytes per element, or undefined for a datatype this node does not read (BYTES, FP16, 64-bit integers). */
export function elementSize(datatype: string): number | undefined {
  if (datatype === 'INT64' || datatype === 'UINT64') return 8;
  const T = ARRAY_OF[datatype];
  return T && (T as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
}

export const elementCount = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A view of a typed array's bytes (no copy). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Raw tensor bytes → float32 values (one copy; the bytes may sit at any offset of a response buffer). */
export function toFloat32(datatype: string, data: Uint8Array): Float32Array {
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return Float32Array.from({ length: data.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  const T = ARRAY_OF[datatype];
  if (!T) throw new Error(`datatype ${datatype} is not supported`);
  const size = elementSize(datatype)!;
  // A view when the bytes sit aligned in the response buffer, else one aligned copy; then the native conversion.
  const View = T as unknown as new (b: ArrayBufferLike, offset: number, length: number) => NumericArray;
  const values = data.byteOffset % size === 0
    ? new View(data.buffer, data.byteOffset, data.byteLength / size)
    : new T(new Uint8Array(data).buffer); // a copy: Buffer#slice would share the (pooled, unaligned) memory
  return values instanceof Float32Array ? values : new Float32Array(values);
}

/** JSON "data" (a flat or nested array of numbers/booleans) → raw bytes of `datatype`. */
export function bytesFromJson(datatype: string, data: unknown): Uint8Array {
  const flat = (Array.isArray(data) ? data.flat(Infinity) : []) as Array<number | boolean>;
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const out = new BigInt64Array(flat.length);
    flat.forEach((v, i) => { out[i] = BigInt(Math.trunc(Number(v))); });
    return bytesOf(out);
  }
  const T = ARRAY_OF[datatype];
  if (!T) throw new Error(`datatype ${datatype} is not supported`);
  const out = new T(new ArrayBuffer(flat.length * elementSize(datatype)!));
  flat.forEach((v, i) => { out[i] = Number(v); });
  return bytesOf(out);
}

/** Raw bytes → a JSON "data" array (the JSON fallback of the HTTP protocol). */
export function jsonFromBytes(datatype: string, data: Uint8Array): number[] {
  if (datatype === 'BOOL') return Array.from(data, (b) => (b ? 1 : 0));
  return Array.from(toFloat32(datatype, data));
}
