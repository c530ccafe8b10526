// Just enough of the Logic Apps workflow expression language to play docs/samples/logic-app-reset.json against the
// running service: `@expr` and `@{expr}` string interpolation over triggerBody(), workflow(), parameters('name'),
// body('action'), outputs('action'), first(x) and coalesce(a, b, ...), with `?['key']` / `['key']` member access.
// Anything else throws, so the sample cannot silently use an expression this evaluator would get wrong.

export interface WorkflowScope {
  readonly triggerBody: unknown;
  readonly runName: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly actionBodies: Readonly<Record<string, unknown>>;
  readonly actionOutputs?: Readonly<Record<string, unknown>>;
}

class Parser {
  #at = 0;
  constructor(
    private readonly text: string,
    private readonly scope: WorkflowScope,
  ) {}

  parseAll(): unknown {
    const value = this.expression();
    this.#space();
    if (this.#at !== this.text.length) throw new Error(`unexpected "${this.text.slice(this.#at)}" in ${this.text}`);
    return value;
  }

  #space(): void {
    while (this.text[this.#at] === ' ') this.#at++;
  }

  #eat(token: string): boolean {
    this.#space();
    if (this.text.startsWith(token, this.#at)) {
      this.#at += token.length;
      return true;
    }
    return false;
  }

  #expect(token: string): void {
    if (!this.#eat(token)) throw new Error(`expected "${token}" at ${this.#at} in ${this.text}`);
  }

  #string(): string {
    this.#expect("'");
    const end = this.text.indexOf("'", this.#at);
    if (end < 0) throw new Error(`unterminated string in ${this.text}`);
    const value = this.text.slice(this.#at, end);
    this.#at = end + 1;
    return value;
  }

  expression(): unknown {
    this.#space();
    let value: unknown;
    if (this.text[this.#at] === "'") value = this.#string();
    else {
      const name = /^[A-Za-z]+/.exec(this.text.slice(this.#at))?.[0];
      if (!name) throw new Error(`expected a function at ${this.#at} in ${this.text}`);
      this.#at += name.length;
      this.#expect('(');
      const args: unknown[] = [];
      if (!this.#eat(')')) {
        do args.push(this.expression());
        while (this.#eat(','));
        this.#expect(')');
      }
      value = this.#call(name, args);
    }
    // Member access: ?['key'] or ['key'], chained.
    for (;;) {
      const optional = this.#eat('?[');
      if (!optional && !this.#eat('[')) break;
      const key = this.#string();
      this.#expect(']');
      if (value === null || value === undefined) {
        if (!optional) throw new Error(`['${key}'] on null in ${this.text}`);
        value = undefined;
      } else {
        value = (value as Record<string, unknown>)[key];
      }
    }
    return value;
  }

  #call(name: string, args: unknown[]): unknown {
    const { scope } = this;
    switch (name) {
      case 'triggerBody':
        return scope.triggerBody;
      case 'workflow':
        return { run: { name: scope.runName } };
      case 'parameters':
        return scope.parameters[String(args[0])];
      case 'body':
        return scope.actionBodies[String(args[0])];
      case 'outputs':
        return scope.actionOutputs?.[String(args[0])];
      case 'first':
        return Array.isArray(args[0]) ? args[0][0] : undefined;
      case 'coalesce':
        return args.find((a) => a !== null && a !== undefined);
      default:
        throw new Error(`the evaluator does not know ${name}() (in ${this.text})`);
    }
  }
}

function evaluateString(value: string, scope: WorkflowScope): unknown {
  if (value.startsWith('@@')) return value.slice(1);
  if (value.startsWith('@{') || value.includes('@{')) {
    return value.replace(/@\{([^}]*)\}/g, (_, expr: string) => {
      const result = new Parser(expr, scope).parseAll();
      if (typeof result === 'string') return result;
      if (typeof result === 'number' || typeof result === 'boolean') return String(result);
      // Logic Apps interpolates null as empty text, objects and arrays as JSON.
      return result === undefined || result === null ? '' : JSON.stringify(result);
    });
  }
  if (value.startsWith('@')) return new Parser(value.slice(1), scope).parseAll();
  return value;
}

/** Evaluates every expression in a JSON value (strings starting with @, or containing @{...}). */
export function evaluateWorkflowValue(value: unknown, scope: WorkflowScope): unknown {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluateWorkflowValue(v, scope));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateWorkflowValue(v, scope)]));
  }
  return value;
}
