/**
 * A deliberately small $filter: `prop op value` clauses joined by `and`, with the operators each endpoint's doc page
 * lists for each property (eq, ne, in). Anything else (or, not, functions, lambdas, other properties or operators) is
 * refused, so the product cannot come to depend on a query shape Graph does not document.
 */

export type FilterOp = 'eq' | 'ne' | 'in';
type Literal = string | boolean | null;

export interface PropertySpec {
  ops: readonly FilterOp[];
  /** Accepts `eq null` / `ne null`. */
  nullable?: boolean;
  boolean?: boolean;
}

export type FilterSpec = Readonly<Record<string, PropertySpec>>;

export interface Clause {
  property: string;
  op: FilterOp;
  values: Literal[];
}

/** Default limit of values in an `in` clause (filter-query-parameter.md, "in" operator note). */
export const MAX_IN_VALUES = 15;

const TOKEN = /\s*(?:('(?:[^']|'')*')|(\()|(\))|(,)|([A-Za-z_][\w./]*))/y;

function tokenize(text: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]);
    pos = TOKEN.lastIndex;
  }
  return out;
}

function literal(token: string | undefined): { value: Literal } | undefined {
  if (token === undefined) return undefined;
  if (token.startsWith("'")) return { value: token.slice(1, -1).replace(/''/g, "'") };
  const lower = token.toLowerCase();
  if (lower === 'true') return { value: true };
  if (lower === 'false') return { value: false };
  if (lower === 'null') return { value: null };
  return undefined;
}

export type ParsedFilter = { clauses: Clause[]; error?: undefined } | { clauses?: undefined; error: string };

export function parseFilter(text: string, spec: FilterSpec): ParsedFilter {
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return { error: `Invalid filter clause: '${text}'.` };
  const clauses: Clause[] = [];
  let i = 0;
  for (;;) {
    const name = tokens[i++];
    const op = tokens[i++]?.toLowerCase();
    const key = Object.keys(spec).find((k) => k.toLowerCase() === name?.toLowerCase());
    if (name === undefined || ['not', 'or', '('].includes(name.toLowerCase())) {
      return { error: `Invalid filter clause: only 'property operator value' clauses joined by 'and' are supported.` };
    }
    if (!key) return { error: `Unsupported or invalid query filter clause specified for property '${name}'.` };
    const prop = spec[key];
    if (op !== 'eq' && op !== 'ne' && op !== 'in') {
      return { error: `Invalid filter clause: unsupported operator '${op ?? ''}' for property '${key}'.` };
    }
    if (!prop.ops.includes(op)) {
      return { error: `Unsupported query filter clause: operator '${op}' is not supported for property '${key}'.` };
    }
    const values: Literal[] = [];
    if (op === 'in') {
      if (tokens[i++] !== '(') return { error: `Invalid filter clause: 'in' needs a parenthesised list.` };
      for (;;) {
        const v = literal(tokens[i++]);
        if (!v) return { error: `Invalid filter clause: bad value in the 'in' list of '${key}'.` };
        values.push(v.value);
        const sep = tokens[i++];
        if (sep === ')') break;
        if (sep !== ',') return { error: `Invalid filter clause: bad 'in' list for '${key}'.` };
      }
      if (values.length > MAX_IN_VALUES) {
        return { error: `Too many values in the 'in' clause of '${key}': at most ${MAX_IN_VALUES}.` };
      }
    } else {
      const v = literal(tokens[i++]);
      if (!v) return { error: `Invalid filter clause: bad value for '${key}'.` };
      values.push(v.value);
    }
    for (const v of values) {
      if (v === null && !prop.nullable)
        return { error: `Invalid filter clause: '${key}' cannot be compared with null.` };
      if (typeof v === 'boolean' && !prop.boolean) return { error: `Invalid filter clause: '${key}' is not Boolean.` };
      if (typeof v === 'string' && prop.boolean) return { error: `Invalid filter clause: '${key}' is Boolean.` };
    }
    clauses.push({ property: key, op, values });
    const next = tokens[i++];
    if (next === undefined) return { clauses };
    if (next.toLowerCase() !== 'and') {
      return { error: `Invalid filter clause: only 'property operator value' clauses joined by 'and' are supported.` };
    }
  }
}

const same = (a: unknown, b: Literal): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : (a ?? null) === b;

export function matches(clauses: readonly Clause[], item: Readonly<Record<string, unknown>>): boolean {
  return clauses.every((c) => {
    const v = item[c.property];
    if (c.op === 'ne') return !same(v, c.values[0]);
    return c.values.some((x) => same(v, x));
  });
}

/** The values an `eq`/`in` clause on `property` admits, if any. */
export function valuesOf(clauses: readonly Clause[], property: string): Literal[] | undefined {
  const c = clauses.find((x) => x.property === property && x.op !== 'ne');
  return c?.values;
}
