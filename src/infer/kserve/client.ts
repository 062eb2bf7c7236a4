// The one place that picks the KServe v2 transport a manifest's backend names.
import type { RemoteBackend } from '../manifest.js';
import { GrpcKserveClient } from './grpc-client.js';
import { HttpKserveClient } from './http-client.js';
import type { KserveClient } from './protocol.js';

const transports: Record<RemoteBackend['protocol'], new (settings: RemoteBackend) => KserveClient> = {
  http: HttpKserveClient,
  grpc: GrpcKserveClient,
};

export function openKserveClient(settings: RemoteBackend): KserveClient {
  return new transports[settings.protocol](settings);
}
