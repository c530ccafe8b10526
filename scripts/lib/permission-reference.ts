// Reads Microsoft Graph's permission reference (microsoft-graph-devx-content, permissions/new/permissions.json):
// permission name → pathSets of {schemeKeys, methods, paths}, where a path's value may mark the permission as least
// privileged for some schemes (`least=DelegatedWork,Application`) and name permissions it also needs
// (`AlsoRequires=A,B`). Paths carry no API version, mix lower and camel case, and use `{id}` or named placeholders.

export interface MethodPermissions {
  /** Application (app-only) permissions that allow the call, sorted. */
  application: string[];
  /** Those of `application` marked least privileged for app-only access. */
  applicationLeast: string[];
  /** Set when no application permission allows the call but delegated (work or school) ones do. */
  delegatedOnly?: true;
  /** Application permission → permissions of which it also needs one (from `AlsoRequires`). */
  alsoRequires?: Record<string, string[]>;
}

export interface ReferenceEntry {
  /** The path as the reference spells it (the first spelling, by sort order, when several normalise alike). */
  spelled: string;
  methods: Map<string, MethodPermissions>;
}

export interface PermissionReference {
  /** The entry for a path template (normalised with normalisePath), if the reference lists it. */
  readonly lookup: (template: string) => ReferenceEntry | undefined;
  /** Whether the reference lists `<template>/{id}`: evidence that the last segment is a keyed collection. */
  readonly listsKeyedChild: (template: string) => boolean;
  /** Whether the reference lists PATCH, PUT or DELETE on the template: evidence that it is a single entity. */
  readonly listsSingleWrite: (template: string) => boolean;
  /** Whether the permission exists with the Application scheme. */
  readonly isApplicationPermission: (name: string) => boolean;
}

/** Lower case, every placeholder as `{id}`, no trailing slash: the reference's paths differ only in these. */
export function normalisePath(path: string): string {
  return path
    .toLowerCase()
    .replace(/\{[^}]*\}/g, '{id}')
    .replace(/\/+$/, '');
}

/**
 * The template whose permissions apply: casts and `$count` only narrow or count what the relationship returns, so
 * they take the relationship's permissions (the reference lists none of them separately).
 */
export function permissionTemplate(template: string): string {
  return template
    .split('/')
    .filter((s) => s !== '$count' && !s.startsWith('microsoft.graph.'))
    .join('/');
}

interface RawPathSet {
  schemeKeys?: string[];
  methods?: string[];
  paths?: Record<string, string>;
}
interface RawPermission {
  schemes?: Record<string, unknown>;
  pathSets?: RawPathSet[];
}

function parseValue(value: string): { least: string[]; alsoRequires: string[] } {
  let least: string[] = [];
  let alsoRequires: string[] = [];
  for (const part of value.split(';')) {
    const [key, list = ''] = part.split('=');
    const items = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (key.trim().toLowerCase() === 'least') least = items;
    else if (key.trim().toLowerCase() === 'alsorequires') alsoRequires = items;
  }
  return { least, alsoRequires };
}

const addSorted = (list: string[], item: string): void => {
  if (!list.includes(item)) {
    list.push(item);
    list.sort();
  }
};

export function parsePermissionReference(json: string): PermissionReference {
  const root = JSON.parse(json) as { permissions?: Record<string, RawPermission> };
  const permissions = root.permissions ?? {};
  const entries = new Map<string, ReferenceEntry>();
  const appPermissions = new Set<string>();
  for (const [name, permission] of Object.entries(permissions)) {
    if (permission.schemes && 'Application' in permission.schemes) appPermissions.add(name);
    for (const set of permission.pathSets ?? []) {
      const schemes = set.schemeKeys ?? [];
      for (const [path, value] of Object.entries(set.paths ?? {})) {
        const key = normalisePath(path);
        let entry = entries.get(key);
        if (!entry) {
          entry = { spelled: path, methods: new Map() };
          entries.set(key, entry);
        } else if (path < entry.spelled) entry.spelled = path;
        const { least, alsoRequires } = parseValue(value);
        for (const method of set.methods ?? []) {
          const m = method.toUpperCase();
          let perms = entry.methods.get(m);
          if (!perms) {
            perms = { application: [], applicationLeast: [] };
            entry.methods.set(m, perms);
          }
          if (schemes.includes('DelegatedWork') && perms.application.length === 0) perms.delegatedOnly = true;
          if (schemes.includes('Application')) {
            delete perms.delegatedOnly;
            addSorted(perms.application, name);
            if (least.includes('Application')) addSorted(perms.applicationLeast, name);
            if (alsoRequires.length > 0) {
              perms.alsoRequires ??= {};
              perms.alsoRequires[name] = [...alsoRequires].sort();
            }
          }
        }
      }
    }
  }
  return {
    lookup: (template) => entries.get(normalisePath(template)),
    listsKeyedChild: (template) => entries.has(`${normalisePath(template)}/{id}`),
    listsSingleWrite: (template) =>
      ['PATCH', 'PUT', 'DELETE'].some((m) => entries.get(normalisePath(template))?.methods.has(m) === true),
    isApplicationPermission: (name) => appPermissions.has(name),
  };
}
