// The method-type table is the one place a type is described; the Graph adapter's table, the emulator's table (which
// plays Graph) and the published API must say the same. Each check runs both ways, so a row added on one side only
// fails here with the name of the missing type.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { METHOD_KINDS, PREFERRED_METHODS } from '../../dev/graph-emulator/state/method-types.js';
import {
  defaultCapableTypes,
  deletableMethodTypeNames,
  isDeletable,
  methodTypeNames,
  portalScope,
  preferenceValuesFor,
  preferredMethodValues,
  resetReasons,
  serviceDeletes,
  takeoverOrder,
} from '../../src/lib/domain/index.js';
import type { GraphMethodType } from '../../src/lib/graph/method-catalogue.js';
import { graphMethodTypes } from '../../src/lib/graph/method-catalogue.js';
import { loadSpec } from '../contract/support/openapi.js';

const sorted = (values: Iterable<string>): string[] => [...values].sort();
const emulatorKind = (name: string) => METHOD_KINDS.find((k) => k.name === name);

describe('the method-type table', () => {
  it('names the portal scope, the default-capable types and the preference values', () => {
    expect([...portalScope].sort()).toEqual(['hardwareOath', 'microsoftAuthenticator', 'phone', 'softwareOath']);
    expect(sorted(defaultCapableTypes)).toEqual(['hardwareOath', 'microsoftAuthenticator', 'phone', 'softwareOath']);
    expect(preferenceValuesFor('phone', 'mobile')).toEqual(['sms', 'voiceMobile']);
    expect(preferenceValuesFor('phone', 'alternateMobile')).toEqual(['voiceAlternateMobile']);
    expect(preferenceValuesFor('phone')).toEqual([]);
    expect(preferenceValuesFor('hardwareOath')).toEqual(['oath']);
    expect(preferenceValuesFor('fido2')).toEqual([]);
    expect(deletableMethodTypeNames).not.toContain('password');
    expect(isDeletable('password')).toBe(false);
  });

  it('hands the default over to the most usable staying method first', () => {
    expect(takeoverOrder).toEqual([
      { type: 'microsoftAuthenticator', value: 'push' },
      { type: 'phone', phoneType: 'mobile', value: 'sms' },
      { type: 'softwareOath', value: 'oath' },
      { type: 'hardwareOath', value: 'oath' },
      { type: 'phone', phoneType: 'office', value: 'voiceOffice' },
      { type: 'phone', phoneType: 'alternateMobile', value: 'voiceAlternateMobile' },
    ]);
  });
});

describe('the Graph adapter and the emulator agree with the domain table', () => {
  it('the emulator knows every domain type, and nothing else', () => {
    expect(sorted(METHOD_KINDS.map((k) => k.name))).toEqual(sorted(methodTypeNames));
  });

  it("the emulator's rules match the domain's: what can be deleted, what blocks deleting the default", () => {
    for (const name of methodTypeNames) {
      const kind = emulatorKind(name)!;
      expect({ name, deletable: kind.deletable }).toEqual({ name, deletable: isDeletable(name) });
      // What the emulator lets an application delete is what the service deletes (hardware OATH: neither).
      expect({ name, appDeletes: kind.deletable && kind.appDelete }).toEqual({
        name,
        appDeletes: isDeletable(name) && serviceDeletes(name),
      });
      expect({ name, blocksDefault: kind.blocksDefault }).toEqual({
        name,
        blocksDefault: defaultCapableTypes.includes(name),
      });
    }
  });

  it("the Graph adapter's rows address each type where the emulator serves it", () => {
    for (const name of methodTypeNames) {
      const graph = graphMethodTypes[name];
      const kind = emulatorKind(name)!;
      const { granularWrite, ...address }: GraphMethodType = graph;
      expect({ name, ...address }).toEqual({
        name,
        odataType: kind.odataType,
        listedIn: kind.v1 ? 'v1.0' : 'beta',
        deleteVersion: kind.v1Segment ? 'v1.0' : 'beta',
        deleteSegment: kind.segment,
        singleton: kind.singleton,
        deleteByRef: kind.deleteByRef,
      });
      // A granular permission the adapter names in 403 messages is one the emulator accepts on that endpoint.
      if (granularWrite !== undefined) expect({ name, granularWrite }).toEqual({ name, granularWrite: kind.granular });
    }
  });

  it('the preference values Graph accepts are the ones the domain can set, both ways', () => {
    expect(sorted(PREFERRED_METHODS)).toEqual(sorted(preferredMethodValues));
  });
});

describe('the published API names the same vocabulary', () => {
  it('api/openapi.yaml lists every method type and reason, and nothing else', async () => {
    const spec = await loadSpec();
    const methodType = spec.definitions.MethodType as { enum: string[] };
    expect(methodType.enum).toEqual([...methodTypeNames]);
    const reasons = JSON.stringify(spec).match(/"enum":\["lost_device"[^\]]*\]/g) ?? [];
    expect(reasons.length).toBeGreaterThan(0);
    for (const list of reasons) expect(JSON.parse(list.slice('"enum":'.length))).toEqual([...resetReasons]);
  });

  it('docs/api.md lists every type name, and nothing else', async () => {
    const text = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const paragraph = /^Type names: ([\s\S]*?)\n\n/m.exec(text)?.[1] ?? '';
    // The paragraph also names the option `keep` (where `password` may be given).
    const named = [...paragraph.matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((n) => n !== 'keep');
    expect(sorted(named)).toEqual(sorted(methodTypeNames));
  });
});
