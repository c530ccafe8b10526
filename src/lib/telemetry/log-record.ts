// Our single-line logs as OpenTelemetry log records: the event name is the message and the fields are attributes
// (Application Insights customDimensions), so a query filters on `customDimensions.requestId` instead of parsing
// text. Two line shapes are ours: `{"event":"…",…}` (src/lib/worker/work-log.ts) and `event=… key=value key="a b"`
// (the HTTP functions). Any other line stays as it is, with no attributes.

export type LogAttributes = Readonly<Record<string, string | number | boolean>>;

export interface StructuredLine {
  readonly body: string;
  readonly attributes: LogAttributes;
}

const keyValueLine = /^event=\S/;
const keyValue = /\s*([A-Za-z_][A-Za-z0-9_.]*)=("[^"]*"|\S*)/y;

export function structuredLine(message: string): StructuredLine {
  return fromJson(message) ?? fromKeyValues(message) ?? { body: message, attributes: {} };
}

function fromJson(message: string): StructuredLine | undefined {
  if (!message.startsWith('{"event":')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
    else if (value !== null && value !== undefined) attributes[key] = JSON.stringify(value);
  }
  return typeof attributes.event === 'string' ? { body: attributes.event, attributes } : undefined;
}

function fromKeyValues(message: string): StructuredLine | undefined {
  const line = message.trimEnd();
  if (!keyValueLine.test(line)) return undefined;
  const attributes: Record<string, string> = {};
  keyValue.lastIndex = 0;
  while (keyValue.lastIndex < line.length) {
    const match = keyValue.exec(line);
    // Not wholly `key=value` pairs: free text, keep the line as it is.
    if (!match) return undefined;
    const [, key = '', raw = ''] = match;
    attributes[key] = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  }
  return { body: attributes.event ?? line, attributes };
}
