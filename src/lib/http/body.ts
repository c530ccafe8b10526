// Request bodies read as streams, counted against MAX_BODY_BYTES (Content-Length can be absent or wrong).

import type { ReadableStream } from 'node:stream/web';
import { ProblemException } from './problem.js';

/** What these helpers read of a request (the Functions HttpRequest has it). */
export interface RequestHead {
  readonly headers: { get(name: string): string | null };
}

export interface RequestWithBody extends RequestHead {
  readonly body: ReadableStream | null;
}

/** `setting`: the setting that holds the limit, or null when no setting does (the small control bodies). */
export function payloadTooLarge(maxBytes: number, setting: string | null = 'MAX_BODY_BYTES'): ProblemException {
  return new ProblemException({
    slug: 'payload-too-large',
    status: 413,
    title: 'Content Too Large',
    detail: setting
      ? `The request body is larger than ${maxBytes} bytes (${setting}). Split the upload into smaller requests.`
      : `The request body is larger than the ${maxBytes} bytes this route accepts.`,
    extensions: { maxBytes },
  });
}

/** Refuses early when Content-Length already says the body is too large. */
export function checkContentLength(request: RequestHead, maxBytes: number): void {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
}

/** The body's chunks; throws a 413 problem as soon as more than `maxBytes` have arrived. */
export async function* bodyChunks(
  request: RequestWithBody,
  maxBytes: number,
  setting: string | null = 'MAX_BODY_BYTES',
): AsyncGenerator<Uint8Array> {
  if (!request.body) return;
  let total = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw payloadTooLarge(maxBytes, setting);
    yield chunk;
  }
}

/** The whole body as UTF-8 text, within `maxBytes`. */
export async function readBodyText(
  request: RequestWithBody,
  maxBytes: number,
  setting: string | null = 'MAX_BODY_BYTES',
): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(request, maxBytes, setting)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
