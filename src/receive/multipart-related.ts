// Streaming multipart/related parser (RFC 2046) for STOW-RS: parts are handed to a sink as they
// arrive, never buffered whole. The boundary search itself is streamsearch's (Boyer-Moore-Horspool).
import StreamSearch from 'streamsearch';

export interface PartSink {
  write(chunk: Buffer): void;
  /** The part's delimiter came: the part is whole. */
  end(): void;
  /** The body stopped inside this part (cut, malformed or aborted): it must not be kept. */
  abort(): void;
}

export class MalformedMultipart extends Error {}

type State = 'preamble' | 'boundary' | 'headers' | 'body' | 'epilogue';
const MAX_HEADER_BYTES = 16 * 1024;

export class MultipartRelatedParser {
  private state: State = 'preamble';
  private pending = Buffer.alloc(0);
  private sink: PartSink | undefined;
  private readonly search: StreamSearch;
  parts = 0;

  constructor(boundary: string, private readonly onPart: (headers: Record<string, string>) => PartSink) {
    this.search = new StreamSearch(Buffer.from(`\r\n--${boundary}`, 'latin1'), (isMatch, data, start, end) => {
      if (data && end > start) this.onData(Buffer.from(data.subarray(start, end)));
      if (isMatch) this.onBoundary();
    });
    // The first delimiter may start the body without a preceding CRLF.
    this.search.push(Buffer.from('\r\n'));
  }

  push(chunk: Buffer): void {
    this.search.push(chunk);
  }

  /** Call at the end of the body; throws when the close delimiter never came. A last part with
   *  no delimiter after it is aborted, never ended: a body cut exactly between two data elements
   *  would otherwise parse as a whole (shorter) instance and be stored. */
  finish(): void {
    if (this.state !== 'epilogue') {
      this.abort();
      throw new MalformedMultipart(this.parts === 0 ? 'no multipart boundary found in the body'
        : 'body ended before the closing boundary');
    }
  }

  /** The body will not go on (client gone, read error): drops the part in progress, if any. */
  abort(): void {
    const open = this.state === 'body' ? this.sink : undefined;
    this.sink = undefined;
    open?.abort();
  }

  private onBoundary(): void {
    if (this.state === 'body') this.sink?.end();
    if (this.state === 'headers' || this.state === 'boundary') throw new MalformedMultipart(
      'part without a header/body separator');
    this.sink = undefined;
    if (this.state !== 'epilogue') this.state = 'boundary';
    this.pending = Buffer.alloc(0);
  }

  private onData(buf: Buffer): void {
    switch (this.state) {
      case 'preamble':
      case 'epilogue':
        return;
      case 'body':
        this.sink!.write(buf);
        return;
      case 'boundary':
        return this.afterBoundary(buf);
      case 'headers':
        return this.collectHeaders(buf);
    }
  }

  private afterBoundary(buf: Buffer): void {
    this.pending = Buffer.concat([this.pending, buf]);
    if (this.pending.length < 2) return;
    if (this.pending.subarray(0, 2).toString('latin1') === '--') {
      this.state = 'epilogue';
      return;
    }
    const eol = this.pending.indexOf('\r\n');
    if (eol < 0) {
      if (this.pending.length > 256) throw new MalformedMultipart('garbage after a boundary');
      return;
    }
    const rest = this.pending.subarray(eol + 2);
    this.pending = Buffer.alloc(0);
    this.state = 'headers';
    if (rest.length) this.collectHeaders(rest);
  }

  private collectHeaders(buf: Buffer): void {
    this.pending = Buffer.concat([this.pending, buf]);
    // A part with no headers starts directly with the blank line.
    const end = this.pending.subarray(0, 2).toString('latin1') === '\r\n' ? 0 : this.pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.pending.length > MAX_HEADER_BYTES) throw new MalformedMultipart('part headers too long');
      return;
    }
    const headers: Record<string, string> = {};
    for (const line of this.pending.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = this.pending.subarray(end === 0 ? 2 : end + 4);
    this.pending = Buffer.alloc(0);
    this.parts++;
    this.sink = this.onPart(headers);
    this.state = 'body';
    if (body.length) this.sink.write(body);
  }
}

/** Reads `boundary` and `type` from a Content-Type header; undefined when not multipart/related. */
export function parseMultipartRelated(contentType: string | undefined):
  { boundary?: string; type?: string } | undefined {
  if (!contentType) return undefined;
  const [mime, ...params] = contentType.split(';');
  if (mime.trim().toLowerCase() !== 'multipart/related') return undefined;
  const out: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { boundary: out.boundary, type: out.type };
}
