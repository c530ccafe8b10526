// Route templates as the Functions host reads them: `api/` + the function's `route` (or its name), `{param}`
// segments (constraints such as `{id:guid}` accepted and ignored, `{param?}` optional), matched case-insensitively.

export interface CompiledRoute {
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

export function compileRoute(template: string, routePrefix = 'api'): CompiledRoute {
  const params: string[] = [];
  const path = [routePrefix, template]
    .filter(Boolean)
    .join('/')
    .replace(/^\/+|\/+$/g, '');
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      if (!param) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      const [, catchAll, name = '', optional] = param;
      params.push(name);
      const body = catchAll ? '(.+)' : '([^/]+)';
      return optional ? `(?:/${body})?` : `/${body}`;
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), params };
}

export function matchRoute(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const match = route.pattern.exec(pathname);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  route.params.forEach((name, i) => {
    const value = match[i + 1];
    if (value !== undefined) params[name] = decodeURIComponent(value);
  });
  return params;
}
