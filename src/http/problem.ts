// RFC 9457 problem responses with a stable code the README documents (every HTTP surface: api, STOW-RS).
import type { Response } from 'express';

export function problem(res: Response, status: number, code: string, detail: string,
  problems?: Array<{ path: string; message: string }>): void {
  const body =
    { type: `urn:dicom-ai-node:error:${code}`, title: code, status, code, detail, ...(problems ? { problems } : {}) };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}
