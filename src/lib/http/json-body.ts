// A small JSON body read and checked against a zod schema: every problem named (400), unknown fields refused.
import { z, type ZodType } from 'zod';
import { readBodyText, type RequestWithBody } from './body.js';
import { invalidRequest, ProblemException } from './problem.js';
import { redact } from '../domain/index.js';

export async function parseJsonBody<T>(request: RequestWithBody, schema: ZodType<T>, maxBytes = 16_384): Promise<T> {
  let body: unknown;
  try {
    // A fixed limit (no setting): these bodies are a few fields.
    const text = await readBodyText(request, maxBytes, null);
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    if (e instanceof ProblemException) throw e;
    throw invalidRequest([{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw invalidRequest(
    parsed.error.issues.map((i) => ({
      field: i.path.map(String).join('.') || '(body)',
      message: i.code === 'unrecognized_keys' ? `has unknown fields: ${i.keys.join(', ')}` : i.message,
    })),
  );
}

/**
 * A required short text from an operator or approver (why they act): trimmed, 1 to 500 characters. It goes into audit
 * rows, which hold no contact details, so a text with an e-mail address or a phone number is refused (not redacted:
 * the person should say it another way, by ticket or object id).
 */
export const requiredText = (hint: string) =>
  z
    .string({ error: `is required: ${hint}` })
    .trim()
    .min(1, `is required: ${hint}`)
    .max(500, 'must be at most 500 characters')
    .refine(
      (text) => redact(text) === text,
      'must not contain an e-mail address or a phone number (it is kept in the audit): name people by ticket or object id',
    );
