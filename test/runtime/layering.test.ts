// The folder map holds: only src/functions (and the entry point) speak the Functions SDK, and no source file
// grows past 400 lines.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

describe('the source tree', () => {
  it('keeps @azure/functions out of src/lib (the triggers adapt it in src/functions/adapter)', async () => {
    const offenders: string[] = [];
    for (const file of await sources(path.join(srcDir, 'lib'))) {
      if (/from\s+['"]@azure\/functions['"]|import\(\s*['"]@azure\/functions['"]/.test(await readFile(file, 'utf8'))) {
        offenders.push(path.relative(srcDir, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no file over 400 lines', async () => {
    const long: string[] = [];
    for (const file of await sources(srcDir)) {
      const lines = (await readFile(file, 'utf8')).split('\n').length;
      if (lines > 400) long.push(`${path.relative(srcDir, file)}: ${lines}`);
    }
    expect(long).toEqual([]);
  });
});
