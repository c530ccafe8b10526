// Just enough of the ARM template expression language to read what main.bicep compiles to: createObject, union, if,
// format, empty, not, greater, parameters, variables, and a module's output (reference(…deployments…, name).outputs.X.value). Anything
// else stays symbolic, so a test can still say which parameter or which module output a value comes from.

/** A value known only at deployment time: a module output, a parameter, or an expression we do not evaluate. */
export type Symbolic =
  | { readonly $output: { readonly deployment: string; readonly name: string } }
  | { readonly $param: string }
  | { readonly $expr: string };
export type ArmValue = string | number | boolean | null | Symbolic | readonly ArmValue[] | { [key: string]: ArmValue };

type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[]; text: string }
  | { kind: 'member'; target: Node; name: string; text: string }
  | { kind: 'index'; target: Node; index: Node; text: string };

function parse(source: string): Node {
  let at = 0;
  const skip = (): void => {
    while (source[at] === ' ') at += 1;
  };
  const expect = (char: string): void => {
    skip();
    if (source[at] !== char) throw new Error(`expected '${char}' at ${at} in ${source}`);
    at += 1;
  };
  const primary = (): Node => {
    skip();
    const start = at;
    if (source[at] === "'") {
      let value = '';
      at += 1;
      for (;;) {
        if (source[at] === undefined) throw new Error(`unterminated string in ${source}`);
        if (source[at] === "'" && source[at + 1] === "'") {
          value += "'";
          at += 2;
        } else if (source[at] === "'") {
          at += 1;
          break;
        } else {
          value += source[at];
          at += 1;
        }
      }
      return postfix({ kind: 'string', value }, start);
    }
    const number = /^-?\d+/.exec(source.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const name = /^[A-Za-z_][\w.]*/.exec(source.slice(at));
    if (!name) throw new Error(`unexpected '${source[at] ?? 'end'}' at ${at} in ${source}`);
    at += name[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (source[at] === ')') at += 1;
    else {
      for (;;) {
        args.push(primary());
        skip();
        if (source[at] === ',') at += 1;
        else break;
      }
      expect(')');
    }
    return postfix({ kind: 'call', name: name[0], args, text: source.slice(start, at) }, start);
  };
  const postfix = (node: Node, start: number): Node => {
    for (;;) {
      if (source[at] === '.') {
        at += 1;
        const member = /^\w+/.exec(source.slice(at));
        if (!member) throw new Error(`bad member access at ${at} in ${source}`);
        at += member[0].length;
        node = { kind: 'member', target: node, name: member[0], text: source.slice(start, at) };
      } else if (source[at] === '[') {
        at += 1;
        const index = primary();
        expect(']');
        node = { kind: 'index', target: node, index, text: source.slice(start, at) };
      } else return node;
    }
  };
  const node = primary();
  skip();
  if (at !== source.length) throw new Error(`trailing text at ${at} in ${source}`);
  return node;
}

export const isSymbolic = (v: unknown): v is Symbolic =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && ('$output' in v || '$param' in v || '$expr' in v);

/** How a symbolic value reads inside a formatted string, e.g. `<resourceToken>`. */
const show = (v: ArmValue): string =>
  isSymbolic(v)
    ? `<${'$param' in v ? v.$param : '$output' in v ? `${v.$output.deployment}.${v.$output.name}` : v.$expr}>`
    : typeof v === 'object' && v !== null
      ? JSON.stringify(v)
      : String(v);

export interface Scope {
  /** The template whose variables() and parameters() the expression reads (and, by symbolic name, its resources). */
  readonly template: { variables?: Record<string, unknown>; parameters?: Record<string, unknown>; resources?: unknown };
  /** Parameter values to use instead of leaving parameters('x') symbolic. */
  readonly parameters?: Readonly<Record<string, ArmValue>>;
}

/** The deployment name of a module known by its symbolic name in a language version 2.0 template. */
function deploymentNameOf(scope: Scope, symbol: string): string | undefined {
  const resources = scope.template.resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) return undefined;
  const resource = (resources as Record<string, { type?: unknown; name?: unknown }>)[symbol];
  return resource?.type === 'Microsoft.Resources/deployments' && typeof resource.name === 'string'
    ? resource.name
    : undefined;
}

/** Evaluates a template value: a "[…]" expression string, or an object/array holding some. */
export function evaluate(value: unknown, scope: Scope): ArmValue {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) return evalNode(parse(value.slice(1, -1)), scope);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  return value as ArmValue;
}

function evalNode(node: Node, scope: Scope): ArmValue {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'member': {
      // reference(<deployment id>).outputs.<name>.value: a module output.
      const m =
        /^reference\(.*'Microsoft\.Resources\/deployments', '([^']+)'\)(?:, '[^']+')?\)\.outputs\.(\w+)\.value$/.exec(
          node.text,
        );
      if (m?.[1] && m[2]) return { $output: { deployment: m[1], name: m[2] } };
      // Language version 2.0 (symbolic names): reference('<symbol>').outputs.<name>.value, the symbol naming a module.
      const symbolic = /^reference\('(\w+)'\)\.outputs\.(\w+)\.value$/.exec(node.text);
      const deployment = symbolic?.[1] ? deploymentNameOf(scope, symbolic[1]) : undefined;
      if (deployment && symbolic?.[2]) return { $output: { deployment, name: symbolic[2] } };
      const target = evalNode(node.target, scope);
      if (typeof target === 'object' && target !== null && !Array.isArray(target) && !isSymbolic(target))
        return (target as Record<string, ArmValue>)[node.name] ?? null;
      return { $expr: node.text };
    }
    case 'index':
      return { $expr: node.text };
    case 'call': {
      const args = (): ArmValue[] => node.args.map((a) => evalNode(a, scope));
      switch (node.name) {
        case 'parameters': {
          const [name] = args();
          if (typeof name !== 'string') return { $expr: node.text };
          return scope.parameters?.[name] ?? { $param: name };
        }
        case 'variables': {
          const [name] = args();
          const vars = scope.template.variables ?? {};
          if (typeof name !== 'string' || !(name in vars)) return { $expr: node.text };
          return evaluate(vars[name], scope);
        }
        case 'createObject': {
          const a = args();
          const out: Record<string, ArmValue> = {};
          for (let i = 0; i + 1 < a.length; i += 2) out[show(a[i] ?? null)] = a[i + 1] ?? null;
          return out;
        }
        case 'createArray':
          return args();
        case 'union': {
          const a = args();
          if (a.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && !isSymbolic(x)))
            return Object.assign({}, ...(a as object[])) as ArmValue;
          return { $expr: node.text };
        }
        case 'if': {
          const [condition, whenTrue, whenFalse] = args();
          if (typeof condition === 'boolean') return (condition ? whenTrue : whenFalse) ?? null;
          return { $expr: node.text };
        }
        case 'empty': {
          // Of a known string, array or object only; a deployment-time value stays symbolic.
          const [v] = args();
          if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
          if (typeof v === 'object' && v !== null && !isSymbolic(v)) return Object.keys(v).length === 0;
          return { $expr: node.text };
        }
        case 'greater': {
          const [left, right] = args();
          return typeof left === 'number' && typeof right === 'number' ? left > right : { $expr: node.text };
        }
        case 'not': {
          const [v] = args();
          return typeof v === 'boolean' ? !v : { $expr: node.text };
        }
        case 'format': {
          const [fmt, ...rest] = args();
          if (typeof fmt !== 'string') return { $expr: node.text };
          return fmt.replace(/\{(\d+)\}/g, (_, i: string) => {
            const v = rest[Number(i)];
            return v === undefined ? '' : show(v);
          });
        }
        default:
          return { $expr: node.text };
      }
    }
  }
}
