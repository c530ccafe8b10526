import type { z } from 'zod';
import { defaultResetOptions, type MethodTypeName, type ResetOptions } from '../domain/index.js';
import type { ProblemError } from '../http/problem.js';
import { optionsSchema } from './fields.js';

export type RawOptions = z.infer<typeof optionsSchema>;

/** Options with defaults applied, lists de-duplicated and sorted (so equal requests fingerprint equally). */
export function resolveOptions(raw: RawOptions | undefined): ResetOptions {
  const methods = raw?.methods ?? defaultResetOptions.methods;
  return {
    methods: Array.isArray(methods) ? ([...new Set(methods)].sort() as MethodTypeName[]) : methods,
    keep: [...new Set(raw?.keep ?? [])].sort(),
    revokeSessions: raw?.revokeSessions ?? defaultResetOptions.revokeSessions,
    dryRun: raw?.dryRun ?? defaultResetOptions.dryRun,
    // Only when asked: requests without it keep the options (and fingerprints, seals) they always had.
    ...(raw?.temporaryAccessPass ? { temporaryAccessPass: { ...raw.temporaryAccessPass } } : {}),
  };
}

const OPTION_PARAMS = ['methods', 'keep', 'revokeSessions', 'dryRun'] as const;
/** A CSV asks for a pass per user with `temporaryAccessPass=true`, and may set its terms. */
const TAP_PARAMS = ['temporaryAccessPass', 'tapLifetimeMinutes', 'tapIsUsableOnce'] as const;

const bool = (v: string): boolean | string => (v === 'true' ? true : v === 'false' ? false : v);
const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Options given as query parameters (CSV uploads): `?methods=portal&keep=fido2&revokeSessions=false&dryRun=true`. */
export function optionsFromQuery(
  query: URLSearchParams,
): { ok: true; options: ResetOptions } | { ok: false; errors: ProblemError[] } {
  const raw: Record<string, unknown> = {};
  for (const name of OPTION_PARAMS) {
    const v = query.get(name);
    if (v === null) continue;
    if (name === 'methods') raw.methods = v === 'all' || v === 'portal' ? v : list(v);
    else if (name === 'keep') raw.keep = list(v);
    else raw[name] = bool(v);
  }
  const tap = query.get('temporaryAccessPass');
  const lifetime = query.get('tapLifetimeMinutes');
  const once = query.get('tapIsUsableOnce');
  if (tap !== null && tap !== 'true' && tap !== 'false') {
    return { ok: false, errors: [{ field: 'query.temporaryAccessPass', message: 'must be true or false' }] };
  }
  if (tap !== 'true' && (lifetime !== null || once !== null)) {
    return {
      ok: false,
      errors: [
        { field: 'query.temporaryAccessPass', message: 'must be true to set tapLifetimeMinutes or tapIsUsableOnce' },
      ],
    };
  }
  if (tap === 'true') {
    raw.temporaryAccessPass = {
      ...(lifetime !== null ? { lifetimeMinutes: /^\d{1,6}$/.test(lifetime) ? Number(lifetime) : lifetime } : {}),
      ...(once !== null ? { isUsableOnce: bool(once) } : {}),
    };
  }
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ field: `query.${i.path.join('.')}`, message: i.message })),
    };
  }
  return { ok: true, options: resolveOptions(parsed.data) };
}

export const hasOptionQuery = (query: URLSearchParams): boolean =>
  OPTION_PARAMS.some((n) => query.has(n)) || TAP_PARAMS.some((n) => query.has(n));
