// Hands out TCP ports for the peers a test starts (the node, Orthanc, storescp). Picking a port with
// listen(0) and closing it is racy: the kernel may give the same port to the next listen(0), and
// Orthanc once got one port for both HTTP and DICOM. This allocator never hands out a port twice in
// a process, draws from below the kernel's ephemeral range (so no listen(0) or outgoing
// connection takes it meanwhile), and checks the port is free before handing it out.
import fs from 'node:fs';
import net from 'node:net';

const LOWEST = 20_000;
const handedOut = new Set<number>();
const [low, high] = usablePortRange();
// Each test process starts at its own random place, so parallel runs rarely probe the same ports.
let cursor = low + Math.floor(Math.random() * (high - low));

/** A TCP port free on this machine that no earlier call in this process has returned. */
export async function allocatePort(): Promise<number> {
  for (let tries = 0; tries < high - low; tries++) {
    const port = cursor;
    cursor = cursor + 1 >= high ? low : cursor + 1;
    if (handedOut.has(port)) continue;
    handedOut.add(port); // reserved even when busy now: something else is using it
    if (await canListen(port)) return port;
  }
  throw new Error(`no free TCP port left in ${low}-${high}`);
}

/** [low, high) below the kernel's ephemeral range (ip_local_port_range), where listen(0) never goes. */
export function usablePortRange(): [number, number] {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
      || ephemeralLow;
  } catch { /* not Linux: keep the IANA default */ }
  return ephemeralLow - LOWEST >= 1000 ? [LOWEST, ephemeralLow] : [ephemeralLow, 65_536];
}

/** Binding the wildcard address fails when any address already listens on the port. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
  });
}
