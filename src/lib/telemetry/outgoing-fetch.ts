// Outgoing `fetch` calls (the Graph client's, through Node's built-in undici) as client spans, which Azure Monitor
// shows as dependencies. The distro instruments node:http but not fetch, hence this instrumentation. The URL is
// templated before the span starts (startSpanHook overrides the instrumentation's own url.* attributes), so no
// processor or exporter ever sees the real path or query.
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { templateUrl } from './url-template.js';

/** Span attributes (OpenTelemetry HTTP semantic conventions) for the templated URL of a request. */
export function templatedUrlAttributes(
  request: Pick<UndiciRequest, 'origin' | 'path'>,
  words: ReadonlySet<string>,
): Readonly<Record<'url.full' | 'url.path' | 'url.query' | 'url.template', string>> {
  let url: URL;
  try {
    url = new URL(request.path, request.origin);
  } catch {
    // The instrumentation skips a request whose URL does not parse; say nothing about it either.
    return { 'url.full': '', 'url.path': '', 'url.query': '', 'url.template': '' };
  }
  const templated = templateUrl(url, words);
  return {
    'url.full': templated.full,
    'url.path': templated.path,
    'url.query': templated.query,
    'url.template': templated.path,
  };
}

/**
 * The fetch instrumentation, enabled at once on the global tracer and meter providers: create it after the SDK has
 * registered them (a meter taken earlier stays a no-op).
 */
export function createOutgoingFetchInstrumentation(words: ReadonlySet<string>): UndiciInstrumentation {
  return new UndiciInstrumentation({
    startSpanHook: (request) => templatedUrlAttributes(request, words),
    // Semantic conventions name a client span `{method} {url.template}` when a template is known.
    requestHook: (span, request) => {
      span.updateName(`${request.method} ${templatedUrlAttributes(request, words)['url.template']}`);
    },
  });
}
