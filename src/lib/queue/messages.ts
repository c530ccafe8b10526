// Queue message bodies (contracts §4): validated on receipt, encoded as the host expects (messageEncoding base64).
import { z } from 'zod';
import type { ResetBatchMessage, ResetCallbackMessage, ResetItemMessage } from './reset-queue.js';

const requestId = z.string().min(1).max(128);
const index = z.number().int().min(0);

export const resetBatchMessageSchema = z
  .strictObject({ v: z.literal(1), requestId, from: index, to: index })
  .refine((m) => m.to > m.from, { message: '`to` must be greater than `from`' });

export const resetItemMessageSchema = z.strictObject({ v: z.literal(1), requestId, item: index });

export const resetCallbackMessageSchema = z.strictObject({ v: z.literal(1), requestId, attempt: index.optional() });

export type MessageParseResult<T> =
  { readonly ok: true; readonly message: T } | { readonly ok: false; readonly problem: string };

/**
 * The host hands a queue function the decoded body: JSON already parsed into an object, otherwise a string or a
 * Buffer. Accept all three so a body the host could not parse is still recognised (or rejected with a reason).
 */
function toValue(entry: unknown): unknown {
  if (Buffer.isBuffer(entry)) entry = entry.toString('utf8');
  if (typeof entry === 'string') {
    try {
      return JSON.parse(entry) as unknown;
    } catch {
      return entry;
    }
  }
  return entry;
}

function parseWith<T>(schema: z.ZodType<T>, entry: unknown): MessageParseResult<T> {
  const result = schema.safeParse(toValue(entry));
  if (result.success) return { ok: true, message: result.data };
  const problem = result.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, problem };
}

export const parseBatchMessage = (entry: unknown): MessageParseResult<ResetBatchMessage> =>
  parseWith(resetBatchMessageSchema, entry);

export const parseItemMessage = (entry: unknown): MessageParseResult<ResetItemMessage> =>
  parseWith(resetItemMessageSchema, entry);

export const parseCallbackMessage = (entry: unknown): MessageParseResult<ResetCallbackMessage> =>
  parseWith(resetCallbackMessageSchema, entry);

/** Body text as sent to Storage: base64 of the UTF-8 JSON, which the host decodes before the function sees it. */
export const encodeMessage = (body: ResetBatchMessage | ResetItemMessage | ResetCallbackMessage): string =>
  Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
