import { describe, expect, it } from 'vitest';
import { graphPermissions, workerGraphPermissions } from '../../src/lib/graph/graph-permissions.js';

describe('the worker permission set', () => {
  const held = new Set<string>(workerGraphPermissions);

  it('grants every Graph call the worker makes', () => {
    const uncovered = Object.entries(graphPermissions)
      .filter(([, grants]) => !grants.some((p) => held.has(p)))
      .map(([call]) => call);
    expect(uncovered).toEqual([]);
  });

  it('holds nothing no call needs (least privilege)', () => {
    const needed = new Set<string>(Object.values(graphPermissions).flat());
    expect(workerGraphPermissions.filter((p) => !needed.has(p))).toEqual([]);
  });
});
