// Regenerates test/fidelity/graph-facts.json, the small extract of Microsoft's published Graph metadata and permission
// reference that the fidelity tests check the product and the emulator against (issue 13).
// Usage: npm run graph-facts -- --metadata <msgraph-metadata> --permissions <microsoft-graph-devx-content> [--out F]
// Each directory is a local clone or a bare git directory of the repository; nothing is fetched (CI has no network).
// The output is sorted and holds no timestamps: regenerating from the same commits gives the same file.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { parseCsdl } from './lib/csdl.js';
import type { Csdl } from './lib/csdl.js';
import { openRepo } from './lib/git-source.js';
import type { RepoSource } from './lib/git-source.js';
import {
  AUTHENTICATION,
  AUTHENTICATION_SKIPPED,
  PERMISSION_CORRECTIONS,
  PROPERTY_TYPES,
  SCOPE_TEMPLATES,
} from './lib/graph-facts-scope.js';
import { parseTypeMappings, VersionModel } from './lib/graph-model.js';
import type { DeclaredMembers, PathKind } from './lib/graph-model.js';
import { parsePermissionReference, permissionTemplate } from './lib/permission-reference.js';
import type { MethodPermissions, PermissionReference } from './lib/permission-reference.js';

export const METADATA_REPOSITORY = 'microsoftgraph/msgraph-metadata';
export const PERMISSIONS_REPOSITORY = 'microsoftgraph/microsoft-graph-devx-content';
const PERMISSIONS_FILE = 'permissions/new/permissions.json';
const VERSIONS = ['v1.0', 'beta'] as const;
type Version = (typeof VERSIONS)[number];

/** The version's own full metadata, best first; the first one present is used. */
const PRIMARY_CSDL: Record<Version, string[]> = {
  'v1.0': ['clean_v10_metadata/cleanMetadata.xml', 'schemas/v1.0-Prod.csdl'],
  beta: ['clean_beta_metadata/cleanMetadata.xml', 'schemas/beta-Prod.csdl'],
};

export interface GraphFactsFile {
  $comment: string;
  sources: {
    metadata: { repository: string; commit: string; files: Record<Version, string[]> };
    permissions: { repository: string; commit: string; file: string };
  };
  versions: Record<
    Version,
    { paths: Record<string, { kind: PathKind; type?: string }>; missing: Record<string, string>; notes: string[] }
  >;
  /** Structural property names (with their base types') of the types we select or filter on, per version. */
  types: Record<Version, Record<string, string[]>>;
  /** Keyed by permissionTemplate(path template): a cast or $count shares its relationship's entry. */
  permissions: Record<string, { referencePath: string | null; methods: Record<string, MethodPermissions> }>;
  corrections: typeof PERMISSION_CORRECTIONS;
}

function required(repo: RepoSource, file: string): string {
  const text = repo.read(file);
  if (text === undefined) throw new Error(`${repo.dir}: ${file} is missing; is this a copy of the right repository?`);
  return text;
}

/**
 * CSDL documents for a version: its own full metadata when the copy has it. A snapshot may omit files over a few MB
 * (the beta metadata is one); then the partial beta schemas (national clouds) and the v1.0 metadata stand in for
 * base types, member types and operations, while members still come from the beta type mappings.
 */
function csdlFor(
  repo: RepoSource,
  version: Version,
  v1: { file: string; doc: Csdl } | undefined,
): { file: string; doc: Csdl }[] {
  for (const file of PRIMARY_CSDL[version]) {
    const text = repo.read(file);
    if (text !== undefined) return [{ file, doc: parseCsdl(text) }];
  }
  if (version === 'v1.0' || !v1)
    throw new Error(`${repo.dir}: no ${version} CSDL (${PRIMARY_CSDL[version].join(', ')})`);
  const partial = repo
    .list('schemas')
    .filter((f) => /^schemas\/beta-.*\.csdl$/.test(f))
    .flatMap((file) => {
      const text = repo.read(file);
      return text === undefined ? [] : [{ file, doc: parseCsdl(text) }];
    });
  return [...partial, v1];
}

function templates(models: Record<Version, VersionModel>, members: Record<Version, Map<string, DeclaredMembers>>) {
  const all = new Set(SCOPE_TEMPLATES);
  for (const version of VERSIONS) {
    const auth = members[version].get('microsoft.graph.authentication');
    for (const name of [...(auth?.navigation ?? []), ...(auth?.properties ?? [])]) {
      if (AUTHENTICATION_SKIPPED.has(name)) continue;
      const template = `${AUTHENTICATION}/${name}`;
      all.add(template);
      const walked = models[version].walk(template);
      if (walked.ok && walked.kind === 'collection') all.add(`${template}/{id}`);
    }
  }
  return [...all].sort();
}

function permissionsOf(reference: PermissionReference, template: string) {
  const entry = reference.lookup(template);
  const methods: Record<string, MethodPermissions> = {};
  for (const [method, perms] of entry?.methods ?? []) methods[method] = perms;
  return { referencePath: entry?.spelled ?? null, methods };
}

export function buildGraphFacts(metadataDir: string, permissionsDir: string): GraphFactsFile {
  const meta = openRepo(metadataDir);
  const permsRepo = openRepo(permissionsDir);
  const reference = parsePermissionReference(required(permsRepo, PERMISSIONS_FILE));
  const members = {
    'v1.0': parseTypeMappings(required(meta, 'schemas/type-mappings/v1.0-entity-types.json')),
    beta: parseTypeMappings(required(meta, 'schemas/type-mappings/beta-entity-types.json')),
  };
  const v1Csdl = csdlFor(meta, 'v1.0', undefined);
  const csdl = { 'v1.0': v1Csdl, beta: csdlFor(meta, 'beta', v1Csdl[0]) };
  const model = (version: Version) =>
    new VersionModel({
      version,
      members: members[version],
      csdl: csdl[version],
      listsKeyedChild: (template) => reference.listsKeyedChild(template),
      listsSingleWrite: (template) => reference.listsSingleWrite(template),
    });
  const models = { 'v1.0': model('v1.0'), beta: model('beta') };
  const all = templates(models, members);

  const versions = {} as GraphFactsFile['versions'];
  const types = {} as GraphFactsFile['types'];
  for (const version of VERSIONS) {
    const model = models[version];
    const paths: GraphFactsFile['versions'][Version]['paths'] = {};
    const missing: Record<string, string> = {};
    const typeProps: Record<string, string[]> = {};
    const notes: string[] = [];
    for (const template of all) {
      const walked = model.walk(template);
      if (!walked.ok) {
        missing[template] = walked.reason;
        continue;
      }
      paths[template] = walked.type ? { kind: walked.kind, type: walked.type } : { kind: walked.kind };
    }
    for (const type of PROPERTY_TYPES) {
      if (!model.knowsType(type)) continue;
      const props = model.properties(type);
      typeProps[type] = props.names;
      if (!props.complete) notes.push(`${type}: a base type is not in the CSDL files read; its properties are partial`);
    }
    if (csdl[version].length > 1) {
      notes.push(
        `${version}'s own CSDL (${PRIMARY_CSDL[version].join(', ')}) is not in the copy read; base types, member ` +
          `types, entity sets and operations come from ${csdl[version].map((c) => c.file).join(', ')}, members from ` +
          `the ${version} type mappings`,
      );
    }
    notes.push(...model.inferences);
    versions[version] = { paths, missing, notes: notes.sort() };
    types[version] = typeProps;
  }

  const permissions: GraphFactsFile['permissions'] = {};
  for (const template of new Set(all.map(permissionTemplate))) {
    permissions[template] = permissionsOf(reference, template);
  }
  for (const c of PERMISSION_CORRECTIONS) {
    if (!(c.template in permissions)) throw new Error(`correction for ${c.template}: not a template in scope`);
    for (const name of c.application) {
      if (!reference.isApplicationPermission(name))
        throw new Error(`correction names ${name}: not an application permission`);
    }
  }

  return {
    $comment:
      'Generated by `npm run graph-facts` (scripts/graph-facts.ts) from the two repositories at the commits below; ' +
      'do not edit by hand. Permissions are per path template, the same for v1.0 and beta (the reference has no version).',
    sources: {
      metadata: {
        repository: METADATA_REPOSITORY,
        commit: meta.commit,
        files: {
          'v1.0': ['schemas/type-mappings/v1.0-entity-types.json', ...csdl['v1.0'].map((c) => c.file)],
          beta: ['schemas/type-mappings/beta-entity-types.json', ...csdl.beta.map((c) => c.file)],
        },
      },
      permissions: { repository: PERMISSIONS_REPOSITORY, commit: permsRepo.commit, file: PERMISSIONS_FILE },
    },
    versions,
    types,
    permissions,
    corrections: PERMISSION_CORRECTIONS,
  };
}

/** Object keys sorted at every level (arrays keep their order: the generator sorts those it builds). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

export async function writeGraphFacts(facts: GraphFactsFile, out: string): Promise<number> {
  // The repository's Prettier settings wherever the file goes, so the committed extract passes `prettier --check`.
  const options = (await resolveConfig(fileURLToPath(import.meta.url))) ?? {};
  const text = await format(JSON.stringify(sortKeys(facts)), { ...options, filepath: out });
  writeFileSync(out, text);
  return Buffer.byteLength(text);
}

const USAGE = `Usage: npm run graph-facts -- --metadata <dir> --permissions <dir> [--out <file>]
  --metadata     local clone (or bare git directory) of ${METADATA_REPOSITORY}
  --permissions  local clone (or bare git directory) of ${PERMISSIONS_REPOSITORY}
  --out          default test/fidelity/graph-facts.json`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      metadata: { type: 'string' },
      permissions: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.metadata || !values.permissions) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const out = path.resolve(values.out ?? 'test/fidelity/graph-facts.json');
  const facts = buildGraphFacts(values.metadata, values.permissions);
  const bytes = await writeGraphFacts(facts, out);
  const count = (v: Version) => Object.keys(facts.versions[v].paths).length;
  process.stdout.write(
    `graph-facts: wrote ${path.relative(process.cwd(), out)} (${bytes} bytes; v1.0 ${count('v1.0')} paths, beta ` +
      `${count('beta')} paths; metadata ${facts.sources.metadata.commit.slice(0, 12)}, permissions ` +
      `${facts.sources.permissions.commit.slice(0, 12)})\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`graph-facts: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
