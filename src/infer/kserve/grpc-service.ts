// Loads the Open Inference Protocol gRPC service from its .proto, for our client and for the test server alike.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { projectRoot } from '../../paths.js';

/** The .proto stays a source file (tsc does not copy it): it is read from src/ in tests and in the built node. */
export const PROTO_PATH = path.join(projectRoot, 'src', 'infer', 'kserve', 'grpc_predict_v2.proto');

/** Volumes are far larger than gRPC's 4 MB default message limit: no limit either way; and a 64 MiB HTTP/2
 *  receive window, so a label volume arrives without a window update every 64 KiB (the default). */
export const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1,
  'grpc-node.flow_control_window': 64 * 1024 * 1024,
};

let loaded: grpc.GrpcObject | undefined;

/** inference.GRPCInferenceService; field names as in the .proto (snake_case), int64 as numbers. */
export function inferenceService(): grpc.ServiceClientConstructor {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, {
    keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
  }));
  return (loaded.inference as grpc.GrpcObject).GRPCInferenceService as grpc.ServiceClientConstructor;
}
