// The gRPC half of the KServe v2 stand-in server (kserve-server.ts): inference.GRPCInferenceService from the
// specification's .proto, with the same switches as the HTTP half.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_PATH } from '../../src/infer/kserve/grpc-service.js';
import type { Context } from './kserve-server.js';

export function grpcService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject;
  return (pkg.GRPCInferenceService as grpc.ServiceClientConstructor).service;
}

type Call = grpc.ServerUnaryCall<any, any>;
type Callback = grpc.sendUnaryData<any>;

export function grpcHandlers(ctx: Context): grpc.UntypedServiceImplementation {
  const refuse = (callback: Callback, code: grpc.status, details: string) =>
    callback({ code, details, name: 'Error', message: details });
  const guard = (handler: (call: Call, callback: Callback) => unknown) => (call: Call, callback: Callback) => {
    if (ctx.switches.down) return refuse(callback, grpc.status.UNAVAILABLE, 'upstream connect error');
    void handler(call, callback);
  };
  const knownModel = (call: Call, nameField: string, versionField: string) =>
    call.request[nameField] === ctx.opts.modelName
      && (!call.request[versionField] || call.request[versionField] === (ctx.opts.version ?? '1'));
  return {
    ServerLive: guard((_call, cb) => cb(null, { live: true })),
    ServerReady: guard((_call, cb) => { ctx.counts.ready++; cb(null, { ready: !ctx.switches.serverNotReady }); }),
    ModelReady: guard((call, cb) => {
      ctx.counts.ready++;
      if (!knownModel(call, 'name', 'version')) return refuse(cb, grpc.status.NOT_FOUND,
        `unknown model ${call.request.name}`);
      cb(null, { ready: !ctx.switches.modelNotReady });
    }),
    ModelMetadata: guard((call, cb) => {
      ctx.counts.metadata++;
      if (!knownModel(call, 'name', 'version')) return refuse(cb, grpc.status.NOT_FOUND,
        `unknown model ${call.request.name}`);
      cb(null, ctx.metadata);
    }),
    ModelInfer: guard(async (call, cb) => {
      ctx.counts.infer++;
      if (ctx.switches.slowMs) await new Promise((resolve) => setTimeout(resolve, ctx.switches.slowMs));
      if (ctx.switches.fail500) return refuse(cb, grpc.status.INTERNAL, 'injected failure');
      if (!knownModel(call, 'model_name', 'model_version')) return refuse(cb, grpc.status.NOT_FOUND,
        `unknown model ${call.request.model_name}`);
      if (ctx.switches.modelNotReady) return refuse(cb, grpc.status.UNAVAILABLE, 'model is not ready');
      try {
        const r = call.request as { inputs: Array<{ name: string; datatype: string; shape: number[] }>;
          outputs: Array<{ name: string }>; raw_input_contents: Buffer[] };
        const inputs = r.inputs.map((i, n) =>
          ({ name: i.name, datatype: i.datatype, shape: i.shape.map(Number), bytes: r.raw_input_contents[n] }));
        ctx.counts.batchSizes.push(inputs[0]?.shape[0] ?? 0);
        const results = await ctx.infer(inputs, r.outputs.map((o) => o.name));
        cb(null, {
          model_name: ctx.opts.modelName, model_version: ctx.opts.version ?? '1',
          outputs: results.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
          raw_output_contents: results.map((t) => t.bytes),
        });
      } catch (error) {
        refuse(cb, grpc.status.INVALID_ARGUMENT, (error as Error).message);
      }
    }),
  };
}
