// The test harness's port allocator (test/support/ports.ts): fault 9 of issue 15. Orthanc was
// once given the same port for HTTP and DICOM because ports were picked with listen(0), closed,
// and picked again; two peers of one test must never be handed the same port.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../support/node-process.js';
import { usablePortRange } from '../../support/ports.js';

describe('test port allocation', () => {
  it('never hands out the same port twice in a test run', async () => {
    // 600 draws: with listen(0)-and-close, the kernel's random pick repeats a port within a few
    // hundred draws (a birthday collision over its ~28000 ephemeral ports).
    const ports: number[] = [];
    for (let i = 0; i < 600; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('draws below the ephemeral range, where neither listen(0) nor outgoing connections go', async () => {
    const [low, high] = usablePortRange();
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(low);
    expect(port).toBeLessThan(high);
    const ephemeral = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1',
        () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    });
    expect(ephemeral >= high || ephemeral < low).toBe(true);
  });

  it('skips a port that something already listens on', async () => {
    const first = await freePort();
    // Occupy the port the allocator would try next, then ask again.
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(first + 1, '127.0.0.1', r));
    try {
      const next = await freePort();
      expect(next).not.toBe(first + 1);
      expect(next).not.toBe(first);
    } finally {
      busy.close();
    }
  });
});
