// Parsers for single environment settings: environment values are strings, and an empty string means "not set"
// (Azure app settings and local.settings.json often carry empty placeholders).

import { z } from 'zod';
import { guidPattern as GUID } from '../domain/index.js';

const unsetIfEmpty = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

/** An optional string; empty → undefined. */
export const optionalString = () => z.preprocess(unsetIfEmpty, z.string().optional());

/** A required string (missing or empty → "is required"). */
export const requiredString = () =>
  z.preprocess(unsetIfEmpty, z.string({ error: (issue) => (issue.input === undefined ? 'is required' : undefined) }));

export const guid = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : undefined) })
      .regex(GUID, 'must be a GUID')
      .transform((v) => v.toLowerCase()),
  );

export const optionalGuid = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(GUID, 'must be a GUID')
      .transform((v) => v.toLowerCase())
      .optional(),
  );

/** A whole number within [min, max], with a default when unset. */
export const integer = (defaultValue: number, min: number, max: number) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, `must be a whole number between ${min} and ${max}`)
          .max(max, `must be a whole number between ${min} and ${max}`),
      )
      .optional()
      .transform((v) => v ?? defaultValue),
  );

/** true/false/1/0 (case-insensitive), with a default when unset. */
export const boolean = (defaultValue: boolean) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((v, ctx) => {
        const lower = v.toLowerCase();
        if (lower === 'true' || lower === '1') return true;
        if (lower === 'false' || lower === '0') return false;
        ctx.addIssue({ code: 'custom', message: 'must be true, false, 1 or 0' });
        return z.NEVER;
      })
      .optional()
      .transform((v) => v ?? defaultValue),
  );

/** An absolute URL (https unless `allowHttp`), without a trailing slash. */
export const url = (options: { allowHttp?: boolean; defaultValue?: string } = {}) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((v, ctx) => {
        let parsed: URL;
        try {
          parsed = new URL(v);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
          return z.NEVER;
        }
        const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
        if (!schemes.includes(parsed.protocol)) {
          ctx.addIssue({ code: 'custom', message: `must be an ${schemes.join(' or ').replace(/:/g, '')} URL` });
          return z.NEVER;
        }
        if (parsed.username || parsed.password) {
          ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
          return z.NEVER;
        }
        return v.replace(/\/+$/, '');
      })
      .optional()
      .transform((v) => v ?? options.defaultValue),
  );

/** A comma-separated list: entries trimmed, empty entries dropped, each checked by `entry`. */
export const list = (entry: (value: string) => string | undefined) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const entries = (v ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e !== '');
        // Entries are named by position, not value: they may be UPNs, which must not reach the logs.
        entries.forEach((e, i) => {
          const problem = entry(e);
          if (problem) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ${problem}` });
        });
        return entries;
      }),
  );
