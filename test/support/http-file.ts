// Runs a VS Code REST Client `.http` file the way the extension does, for the subset our files use: file variables
// (`@name = value`), requests separated by `###`, `# @name` to name a request, `{{variable}}`,
// `{{$randomInt min max}}` and `{{request.response.body.$.field}}` (a dotted JSONPath), and form bodies written on
// several lines (joined, as the extension sends them).

export interface HttpFileRequest {
  readonly title: string;
  readonly name?: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpFile {
  readonly variables: Readonly<Record<string, string>>;
  readonly requests: readonly HttpFileRequest[];
}

export function parseHttpFile(text: string): HttpFile {
  const [preamble = '', ...blocks] = text.split(/^###/m);
  const variables: Record<string, string> = {};
  for (const line of preamble.split('\n')) {
    const match = /^@([\w.-]+)\s*=\s*(.*)$/.exec(line.trim());
    if (match) variables[match[1] ?? ''] = (match[2] ?? '').trim();
  }
  return { variables, requests: blocks.map(parseRequest) };
}

function parseRequest(block: string): HttpFileRequest {
  const [titleLine = '', ...lines] = block.split('\n');
  let name: string | undefined;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const named = /^(?:#|\/\/)\s*@name\s+(\S+)/.exec(line);
    if (named) name = named[1];
    else if (line !== '' && !line.startsWith('#') && !line.startsWith('//')) break;
  }
  const [method = '', url = ''] = (lines[i++] ?? '').trim().split(/\s+/);
  const headers: Record<string, string> = {};
  for (; i < lines.length && (lines[i] ?? '').trim() !== ''; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyLines = lines.slice(i + 1);
  while (bodyLines.length > 0 && (bodyLines.at(-1) ?? '').trim() === '') bodyLines.pop();
  const form = /x-www-form-urlencoded/.test(headers['content-type'] ?? '');
  const body = bodyLines.length === 0 ? undefined : bodyLines.map((l) => (form ? l.trim() : l)).join(form ? '' : '\n');
  return { title: titleLine.trim(), ...(name ? { name } : {}), method, url, headers, ...(body ? { body } : {}) };
}

export interface HttpFileAnswer {
  readonly request: HttpFileRequest;
  readonly status: number;
  readonly body: unknown;
}

/** Sends every request in order; `overrides` replace file variables (as a user edits @api for another host). */
export async function runHttpFile(
  file: HttpFile,
  overrides: Readonly<Record<string, string>> = {},
): Promise<HttpFileAnswer[]> {
  const variables: Record<string, string> = { ...file.variables, ...overrides };
  const named: Record<string, unknown> = {};
  const expand = (text: string): string =>
    text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      const random = /^\$randomInt\s+(\d+)\s+(\d+)$/.exec(expression);
      if (random)
        return String(Number(random[1]) + Math.floor(Math.random() * (Number(random[2]) - Number(random[1]))));
      const reference = /^(\w+)\.response\.body\.\$\.([\w.]+)$/.exec(expression);
      if (reference) {
        let value: unknown = named[reference[1] ?? ''];
        for (const key of (reference[2] ?? '').split('.'))
          value = (value as Record<string, unknown> | undefined)?.[key];
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new Error(`{{${expression}}}: no such value in an earlier answer`);
        }
        return String(value);
      }
      const value = variables[expression];
      if (value === undefined) throw new Error(`{{${expression}}} is not defined`);
      return expand(value);
    });
  const answers: HttpFileAnswer[] = [];
  for (const request of file.requests) {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, expand(v)]));
    const response = await fetch(expand(request.url), {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: expand(request.body) }),
    });
    const text = await response.text();
    const body: unknown = /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
    if (request.name) named[request.name] = body;
    answers.push({ request, status: response.status, body });
  }
  return answers;
}
