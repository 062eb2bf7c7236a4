// Outbox retry policy: the backoff schedule (with its jitter bounds) and the failure classification table.
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../../../src/circuit-breaker.js';
import { classifyDimseStatus, classifyHttpStatus, retryDelayMs } from '../../../src/export/policy.js';

const retry = { baseSeconds: 5, maxSeconds: 600, maxAttempts: 20 };

describe('backoff schedule', () => {
  it('doubles from the base and stops at the cap when jitter is neutral', () => {
    const mid = () => 0.5; // random() = 0.5 → jitter factor exactly 1
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((a) => retryDelayMs(a, retry, mid))).toEqual(
      [5000, 10000, 20000, 40000, 80000, 160000, 320000, 600000, 600000, 600000]);
  });
  it('stays within ±20 % at the extremes of the random source', () => {
    expect(retryDelayMs(3, retry, () => 0)).toBe(16000);
    expect(retryDelayMs(3, retry, () => 0.999999)).toBeCloseTo(24000, -1);
    expect(retryDelayMs(40, retry, () => 0)).toBe(480000);
  });
  it('spreads real random delays over the whole band', () => {
    const delays = Array.from({ length: 2000 }, () => retryDelayMs(2, retry));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(12000);
    expect(Math.min(...delays)).toBeLessThan(8200);
    expect(Math.max(...delays)).toBeGreaterThan(11800);
  });
});

describe('failure classification', () => {
  it.each([
    [0x0000, 'delivered'], [0xb000, 'delivered'], [0xb007, 'delivered'], [0xb006, 'delivered'],
    [0xa700, 'transient'], [0xa7ff, 'transient'],
    [0x0122, 'permanent'], [0xa900, 'permanent'], [0xc000, 'permanent'], [0x0110, 'permanent'], [0x0211, 'permanent'],
  ])('C-STORE status 0x%s → %s', (status, kind) => {
    expect(classifyDimseStatus(status).kind).toBe(kind);
  });
  it.each([
    [200, 'delivered'], [202, 'delivered'], [400, 'permanent'], [401, 'permanent'], [403, 'permanent'],
    [404, 'permanent'], [409, 'permanent'], [415, 'permanent'], [408, 'transient'], [429, 'transient'],
    [500, 'transient'], [502, 'transient'], [503, 'transient'],
  ])('HTTP %i → %s', (status, kind) => {
    expect(classifyHttpStatus(status).kind).toBe(kind);
  });
  it('names the status in the reason', () => {
    expect(classifyDimseStatus(0xa700)).toEqual(
      { kind: 'transient', reason: 'C-STORE status 0xA700 (out of resources)' });
    expect(classifyHttpStatus(401, 'Unauthorized')).toEqual({ kind: 'permanent', reason: 'HTTP 401: Unauthorized' });
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on success', () => {
    const c = new CircuitBreakers(3, 1000);
    expect(c.record('a', false, 0)).toBeUndefined();
    expect(c.record('a', false, 0)).toBeUndefined();
    expect(c.admit('a', 0)).toBe('closed');
    expect(c.record('a', false, 10)).toBe('opened');
    expect(c.admit('a', 500)).toBe('blocked');
    expect(c.admit('b', 500)).toBe('closed');
    expect(c.admit('a', 1010)).toBe('probe');
    expect(c.admit('a', 1020)).toBe('blocked'); // one probe at a time
    expect(c.record('a', false, 1100)).toBeUndefined(); // probe failed: open again
    expect(c.admit('a', 1500)).toBe('blocked');
    expect(c.admit('a', 2100)).toBe('probe');
    expect(c.record('a', true, 2200)).toBe('closed');
    expect(c.admit('a', 2200)).toBe('closed');
  });
  it('a success in between resets the count', () => {
    const c = new CircuitBreakers(2, 1000);
    c.record('a', false, 0);
    c.record('a', true, 0);
    expect(c.record('a', false, 0)).toBeUndefined();
    expect(c.admit('a', 0)).toBe('closed');
  });
});
