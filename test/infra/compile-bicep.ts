// Compiles a .bicep file to its ARM JSON with the real Bicep CLI, the same binary CI uses (.ci/bicep-build restores it
// from NuGet through .ci/bicep/bicep-cli.csproj). When it is missing, it is restored the same way (needs the .NET SDK).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The version .ci/bicep-build pins (`bicep_version=…`). */
function pinnedVersion(): string {
  const script = readFileSync(join(repo, '.ci/bicep-build'), 'utf8');
  const version = /^bicep_version=(\S+)$/m.exec(script)?.[1];
  if (!version) throw new Error('.ci/bicep-build does not pin bicep_version');
  return version;
}

export function bicepCli(): string {
  const cli = join(repo, `.ci/bicep/obj/packages/azure.bicep.commandline.linux-x64/${pinnedVersion()}/tools/bicep`);
  if (!existsSync(cli)) {
    execFileSync('dotnet', ['restore', join(repo, '.ci/bicep/bicep-cli.csproj'), '--nologo', '--verbosity', 'quiet'], {
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
      stdio: 'inherit',
    });
    execFileSync('chmod', ['+x', cli]);
  }
  return cli;
}

/** The compiled ARM template of `file` (a path relative to the repository root). */
export function compileBicep(file: string): ArmTemplate {
  const out = mkdtempSync(join(tmpdir(), 'bicep-'));
  try {
    const json = join(out, 'main.json');
    execFileSync(bicepCli(), ['build', join(repo, file), '--outfile', json], { stdio: 'pipe' });
    return JSON.parse(readFileSync(json, 'utf8')) as ArmTemplate;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface ArmResource {
  readonly type: string;
  readonly name: string;
  readonly condition?: string;
  readonly scope?: string;
  readonly existing?: boolean;
  readonly properties?: Record<string, unknown> & {
    readonly template?: ArmTemplate;
    readonly parameters?: Record<string, { readonly value: unknown }>;
  };
  readonly [key: string]: unknown;
}

export interface ArmTemplate {
  readonly parameters?: Record<string, { readonly defaultValue?: unknown; readonly type: string }>;
  readonly variables?: Record<string, unknown>;
  /** An array, or an object keyed by symbolic name (language version 2.0). */
  readonly resources: readonly ArmResource[] | Record<string, ArmResource>;
}

export const resourcesOf = (template: ArmTemplate): ArmResource[] =>
  Array.isArray(template.resources)
    ? [...(template.resources as ArmResource[])]
    : Object.values(template.resources as Record<string, ArmResource>);

/** A module deployment of the compiled main template, by name; the error lists the names there are. */
export function moduleOf(main: ArmTemplate, name: string): ArmResource {
  const deployments = resourcesOf(main).filter((r) => r.type === 'Microsoft.Resources/deployments');
  const found = deployments.find((r) => r.name === name);
  if (!found) throw new Error(`main.bicep has no module '${name}' (has ${deployments.map((d) => d.name).join(', ')})`);
  return found;
}
