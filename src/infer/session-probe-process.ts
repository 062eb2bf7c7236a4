// Child process entry (session-probe.ts forks it): opens one model's onnxruntime session, reports the provider
// it really got and the providers it fell back from, and exits, so none of the session's memory stays anywhere.
import { openOnnxEngine } from './onnx-engine.js';
import type { ProbeReply, ProbeRequest } from './session-probe.js';

process.once('message', (request: ProbeRequest) => {
  openOnnxEngine(request)
    .then(({ provider, fallbacks }): ProbeReply => ({ ok: true, provider, fallbacks }))
    .catch((error: unknown): ProbeReply =>
      ({ ok: false, message: error instanceof Error ? error.message : String(error) }))
    .then((reply) => process.send!(reply, () => process.disconnect()));
});
