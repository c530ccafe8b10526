// `local.settings.json`, as `func start` reads it, for the host harness and `npm start`: its `Values` become
// environment variables before the app starts. Precedence, lowest first:
//   1. embedded defaults (what `npm start` supplies itself: Azurite, the Graph emulator, a seal key, a TAP key pair)
//   2. local.settings.json `Values` (git-ignored; local.settings.sample.json is the reference for the keys)
//   3. the environment (a variable set in the shell always wins)
// A placeholder counts as unset, so a copy of the sample changes nothing it leaves blank: an empty string, and the
// sample's all-zero GUID (no tenant or app has it).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './harness.js';

export const localSettingsPath = path.join(repoRoot, 'local.settings.json');

const nilGuid = '00000000-0000-0000-0000-000000000000';
const isPlaceholder = (value: string | undefined): boolean =>
  value === undefined || value.trim() === '' || value.trim() === nilGuid;

/** The file's meaningful `Values` (placeholders left out); none when the file does not exist. */
export async function readLocalSettings(file = localSettingsPath): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { IsEncrypted, Values } = (parsed ?? {}) as { IsEncrypted?: unknown; Values?: unknown };
  if (IsEncrypted === true) throw new Error(`${file} is encrypted (IsEncrypted: true): decrypt it with func settings`);
  if (Values === undefined) return {};
  if (typeof Values !== 'object' || Values === null || Array.isArray(Values)) {
    throw new Error(`${file}: "Values" must be an object of settings`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(Values)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(`${file}: Values.${key} must be a string, a number or a boolean`);
    }
    if (!isPlaceholder(String(value))) values[key] = String(value);
  }
  return values;
}

/**
 * Copies the file's settings into `env` where `env` has no value of its own. Returns the names it set (never the
 * values: some are secrets), for a start-up line.
 */
export async function applyLocalSettings(
  env: NodeJS.ProcessEnv = process.env,
  file = localSettingsPath,
): Promise<string[]> {
  const applied: string[] = [];
  for (const [key, value] of Object.entries(await readLocalSettings(file))) {
    if (!isPlaceholder(env[key])) continue;
    env[key] = value;
    applied.push(key);
  }
  return applied;
}
