// One transport per destination type (mercure's one handler per target type): the only place a type picks code.
import type { Destination } from './destination.js';
import { dimseTransport } from './dimse-transport.js';
import { dicomwebTransport } from './stow-sender.js';
import type { Transport } from './transport.js';

type ByType = { [K in Destination['type']]: Transport<Extract<Destination, { type: K }>> };
const TRANSPORTS: ByType = { dimse: dimseTransport, dicomweb: dicomwebTransport };

export function transportFor<D extends Destination>(d: D): Transport<D> {
  return TRANSPORTS[d.type] as unknown as Transport<D>;
}
