// The maps a compiled program owns, as data (no kernel): counters always, the address-set trie when
// the policy has sets, and the classifier's maps, named once in map-refs.ts, per map-driven evaluation.
import { describe, expect, it } from 'vitest';
import { compileDirection } from '../../../agent/datapath/codegen/program.ts';
import { CLASSIFIER_MAP_REFS } from '../../../agent/datapath/map-refs.ts';
import { programMapSpecs } from '../../../agent/datapath/program-maps.ts';
import { MapType } from '../../../bpf/kernel/constants.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from '../../dataplane/datapath/support/policies.ts';

const ingress = (...policies: ReturnType<typeof policy>[]) => directionPolicy('ingress', [tier('default', 'Deny', policies, 1_000_000)]);

describe('programMapSpecs', () => {
  it('gives a program without address sets its rule counters only, one per-CPU entry per rule slot', () => {
    const compiled = compileDirection('ingress', ingress(policy('web', [rule('Allow', term('TCP', [[80, 80]]))])));
    const specs = programMapSpecs(compiled);
    expect(specs.map((s) => s.ref)).toEqual(['counters']);
    expect(specs[0]!.create).toMatchObject({ type: MapType.PERCPU_ARRAY, name: 'pal_counters', maxEntries: compiled.slots.length });
    expect(specs[0]!.entries.count).toBe(0);
  });

  it("adds the address-set trie, filled with the program's entries", () => {
    const compiled = compileDirection('ingress', ingress(policy('web', [rule('Allow', term('TCP', [[80, 80]], cidrs('10.0.0.0/8', '192.0.2.0/24')))])));
    const ipsets = programMapSpecs(compiled).find((s) => s.ref === 'ipsets')!;
    expect(ipsets.create).toMatchObject({ type: MapType.LPM_TRIE, name: 'pal_ipsets', maxEntries: compiled.ipSetEntries.length });
    expect(ipsets.entries.count).toBe(compiled.ipSetEntries.length);
    expect(ipsets.entries.keys).toEqual(Buffer.concat(compiled.ipSetEntries.map((e) => e.key)));
    expect(ipsets.entries.values).toEqual(Buffer.concat(compiled.ipSetEntries.map((e) => e.value)));
  });

  it("adds the classifier's four maps for each map-driven evaluation, enforced and staged", () => {
    const enforced = policy('web', [rule('Allow', term('TCP', [[80, 80]], cidrs('10.0.0.0/8')))]);
    const staged = policy('staged', [rule('Deny', term('TCP', [[443, 443]]))], true);
    const compiled = compileDirection('ingress', ingress(enforced, staged), { strategy: 'classifier' });
    const specs = programMapSpecs(compiled);
    const refs = [...Object.values(CLASSIFIER_MAP_REFS.enforced), ...Object.values(CLASSIFIER_MAP_REFS.staged)];
    expect(specs.map((s) => s.ref)).toEqual(expect.arrayContaining(refs));
    for (const ref of refs) expect(specs.find((s) => s.ref === ref)!.create.name).toBe(`pal_${ref}`);
    const slots = specs.find((s) => s.ref === CLASSIFIER_MAP_REFS.enforced.slots)!;
    expect(slots.create.maxEntries).toBe(compiled.classifier!.bits);
    expect(slots.entries.count).toBe(compiled.classifier!.bits);
    expect(slots.entries.values).toEqual(compiled.classifier!.slotInfo);
    expect([...new Uint32Array(slots.entries.keys.buffer, slots.entries.keys.byteOffset, slots.entries.count)]).toEqual(
      Array.from({ length: compiled.classifier!.bits }, (_, i) => i),
    );
    // the vectors go to the kernel from the buffer the compiler built them in
    expect(specs.find((s) => s.ref === CLASSIFIER_MAP_REFS.enforced.vectors)!.entries.values).toBe(compiled.classifier!.vectors);
    // only the keys that differ from their field's default are written; the rest of the array stays zeroed
    const keys = specs.find((s) => s.ref === CLASSIFIER_MAP_REFS.enforced.keys)!;
    const written = [...compiled.classifier!.stored.entries()].filter(([, v]) => v !== 0);
    expect(keys.entries.count).toBe(written.length);
    for (const [i, [k, v]] of written.entries()) {
      expect(keys.entries.keys.readUInt32LE(i * 4)).toBe(k);
      expect(keys.entries.values.readUInt32LE(i * 4)).toBe(v);
    }
  });
});
