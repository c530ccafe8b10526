// src/lib/domain depends on nothing: no package, no Node built-in, no other folder of the service. Adapters depend on
// it, never the reverse.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const domainDir = fileURLToPath(new URL('../../src/lib/domain/', import.meta.url));

describe('the domain folder', () => {
  it('imports only from itself', async () => {
    const files = (await readdir(domainDir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const outside: string[] = [];
    for (const file of files) {
      const text = await readFile(domainDir + file, 'utf8');
      for (const [, from] of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        if (!/^\.\/[\w-]+\.js$/.test(from)) outside.push(`${file} → ${from}`);
      }
      for (const [, from] of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) outside.push(`${file} → ${from}`);
    }
    expect(outside).toEqual([]);
  });
});
