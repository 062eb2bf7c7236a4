// The KServe v2 client's pure parts: failure classes agree with the outbox's HTTP rule, binary responses are split
// by Inference-Header-Content-Length as the extension says, tensor bytes convert, and the manifest's backend is
// validated with JSON paths.
import { describe, expect, it } from 'vitest';
import { classifyHttpStatus } from '../../../src/export/policy.js';
import { validateManifest } from '../../../src/infer/manifest-schema.js';
import {
  grpcStatusFailure, httpStatusFailure, withRetries, RemoteFailure
} from '../../../src/infer/kserve/failures.js';
import { parseInferResponse } from '../../../src/infer/kserve/http-client.js';
import { compareTensors } from '../../../src/infer/kserve/readiness.js';
import { toFloat32 } from '../../../src/infer/kserve/tensors.js';
import { testManifest } from './helpers.js';

describe('KServe v2 client', () => {
  it('retries exactly the HTTP statuses the outbox retries', () => {
    for (let status = 400; status < 600; status++) {
      expect(httpStatusFailure(status, '').transient, `HTTP ${status}`).toBe(
        classifyHttpStatus(status).kind === 'transient');
    }
  });

  it('treats gRPC UNAVAILABLE and INTERNAL as transient, DEADLINE_EXCEEDED as a timeout, INVALID_ARGUMENT as final',
    () => {
      expect(grpcStatusFailure(14, 'x')).toMatchObject({ code: 'KSERVE_UNAVAILABLE', transient: true });
      expect(grpcStatusFailure(13, 'x')).toMatchObject({ code: 'KSERVE_UNAVAILABLE', transient: true });
      expect(grpcStatusFailure(4, 'x')).toMatchObject({ code: 'KSERVE_TIMEOUT', transient: true });
      expect(grpcStatusFailure(3, 'x')).toMatchObject({ code: 'KSERVE_REJECTED', transient: false });
      expect(grpcStatusFailure(5, 'x')).toMatchObject({ code: 'KSERVE_REJECTED', transient: false });
    });

  it('does not retry a permanent failure, and retries a transient one `retries` times', async () => {
    let calls = 0;
    const permanent = withRetries({ retries: 3, baseDelayMs: 1, maxDelayMs: 1 },
      async () => { calls++; throw new RemoteFailure('KSERVE_REJECTED', 'no', false); });
    await expect(permanent).rejects.toMatchObject({ code: 'KSERVE_REJECTED' });
    expect(calls).toBe(1);
    calls = 0;
    const transient = withRetries({ retries: 3, baseDelayMs: 1, maxDelayMs: 1 },
      async () => { calls++; throw new RemoteFailure('KSERVE_UNAVAILABLE', 'down', true); });
    await expect(transient).rejects.toThrow(/^KSERVE_UNAVAILABLE: down \(after 4 attempts\)$/);
    expect(calls).toBe(4);
  });

  it('splits a binary response: JSON header of the announced length, then each output\'s binary_data_size bytes',
    () => {
      const header = JSON.stringify({ outputs: [
        { name: 'a', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
        { name: 'b', datatype: 'UINT8', shape: [3], data: [1, 2, 3] },
        { name: 'c', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 4 } },
      ] });
      // One byte of padding puts the binary part at an odd offset, so the tensors are not aligned for a view.
      const body = Buffer.concat([Buffer.from(`${header} `), Buffer.from(
        new Float32Array([1.5, -2]).buffer), Buffer.from(new Int32Array([7]).buffer)]);
      for (const bytes of [new Uint8Array(body), body.subarray(0)]) { // a plain copy, and a Node Buffer as sockets give
        const [a, b, c] = parseInferResponse(bytes, String(Buffer.byteLength(header) + 1));
        expect(Array.from(toFloat32(a.datatype, a.data))).toEqual([1.5, -2]);
        expect(Array.from(toFloat32(b.datatype, b.data))).toEqual([1, 2, 3]);
        expect(Array.from(toFloat32(c.datatype, c.data))).toEqual([7]);
      }
    });

  it('refuses a response whose binary part is shorter than announced', () => {
    const header = JSON.stringify(
      { outputs: [{ name: 'a', datatype: 'FP32', shape: [4], parameters: { binary_data_size: 16 } }] });
    const body = Buffer.concat([Buffer.from(header), Buffer.alloc(8)]);
    expect(() => parseInferResponse(new Uint8Array(body), String(header.length))).toThrow(
      /^KSERVE_BAD_RESPONSE: output a: 16 binary bytes announced/);
  });

  it('compares server metadata with the manifest: -1 matches anything, a fixed size must agree', () => {
    const declared = [{ name: 'image', dtype: 'float32' as const, shape: [1, 1, 'D', 'H', 96] }];
    expect(compareTensors('inputs', declared,
      [{ name: 'image', datatype: 'FP32', shape: [-1, 1, -1, 64, 96] }])).toEqual([]);
    expect(compareTensors('inputs', declared,
      [{ name: 'image', datatype: 'FP16', shape: [1, 1, -1, -1, 64] }])).toEqual([
      '/inputs/0/dtype: manifest float32, server FP16', '/inputs/0/shape/4: manifest 96, server 64',
    ]);
  });

  it('validates the manifest backend and names each bad field by its JSON path', () => {
    const ok = validateManifest({ ...testManifest('m'),
      backend: { type: 'kserve-v2', url: 'http://triton:8000', model: 'ct', protocol: 'http', timeoutMs: 1000 } });
    expect(ok.errors).toEqual([]);
    const bad = validateManifest({ ...testManifest('m'), backend: { type: 'triton', url: 'http://a b', model: 'x/y',
      protocol: 'rest', timeoutMs: 0, maxBatch: 0, extra: 1 } });
    expect(bad.errors).toEqual(expect.arrayContaining([
      '/backend: must NOT have additional properties ("extra")', '/backend/type: must be equal to constant',
      expect.stringMatching(/^\/backend\/url: must match pattern/), expect.stringMatching(
        /^\/backend\/model: must match pattern/),
      '/backend/protocol: must be equal to one of the allowed values', '/backend/timeoutMs: must be >= 1',
      '/backend/maxBatch: must be >= 1',
    ]));
    expect(validateManifest(
      { ...testManifest('m'), backend: { type: 'kserve-v2' } }).errors).toEqual(expect.arrayContaining([
      "/backend: must have required property 'url'", "/backend: must have required property 'model'",
    ]));
  });
});
