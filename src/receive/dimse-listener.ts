// The DIMSE listeners (plain TCP and optional TLS): one NodeAssociation per connection, a limit on
// concurrent associations, and a drain-then-abort shutdown.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import dimse from 'dcmjs-dimse';
import type { NodeConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { InstanceStore } from '../store/instance-store.js';
import { NodeAssociation } from './dimse-association.js';

dimse.log.setLevel('silent');

export interface DimseListener {
  readonly active: number;
  close(graceMs: number): Promise<void>;
}

export async function startDimseListener(config: NodeConfig, store: InstanceStore,
  log: Logger): Promise<DimseListener> {
  const c = config.dicom;
  const associations = new Set<NodeAssociation>();
  let slots = 0;
  const deps = {
    aeTitle: c.aeTitle, allowedCallers: c.allowedCallers, acceptPrivateSopClasses: c.acceptPrivateSopClasses,
    maxPduLength: c.maxPduLength, store, log,
    claimSlot: () => (slots < c.maxAssociations ? (slots++, true) : false),
    releaseSlot: () => { slots--; },
  };
  const opts = { pduTimeout: c.pduTimeoutMs, associationTimeout: 30_000, connectTimeout: c.pduTimeoutMs };
  const onSocket = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const a = new NodeAssociation(socket, opts, deps);
    associations.add(a);
    socket.once('close', () => associations.delete(a));
  };
  // Half-open: a peer's FIN does not end our side before a pending A-ABORT is written (see NodeAssociation).
  const servers: net.Server[] = [net.createServer({ allowHalfOpen: true }, onSocket)];
  if (c.tls.enabled) {
    servers.push(tls.createServer({
      key: fs.readFileSync(c.tls.keyFile), cert: fs.readFileSync(c.tls.certFile),
      ca: c.tls.caFile ? fs.readFileSync(c.tls.caFile) : undefined,
      requestCert: c.tls.requireClientCert, rejectUnauthorized: c.tls.requireClientCert,
    }, onSocket));
  }
  await listen(servers[0], c.port, c.host);
  log.info('dimse.listening', { port: c.port, host: c.host, aeTitle: c.aeTitle, tls: false });
  if (servers[1]) {
    await listen(servers[1], c.tls.port, c.host);
    log.info('dimse.listening', { port: c.tls.port, host: c.host, aeTitle: c.aeTitle, tls: true });
  }
  return {
    get active() { return slots; },
    async close(graceMs: number) {
      for (const s of servers) s.close();
      const deadline = Date.now() + graceMs;
      // Let instances in flight finish; idle associations are told to go at once.
      while (associations.size > 0 && Date.now() < deadline) {
        for (const a of associations) if (a.isIdle) a.abortAssociation('node shutting down');
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const a of associations) a.abortAssociation('node shutting down (grace period over)');
      await new Promise((r) => setTimeout(r, 250));
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
}
