// Shared shaping of HTTP answers. An answer is plain data (status, headers, text body): the Functions adapter hands
// it to the host as it is, and nothing here depends on the host's SDK.

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
