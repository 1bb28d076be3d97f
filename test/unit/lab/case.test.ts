import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCase, expandProbes, expandTopology, matchesPattern, substituteAddresses } from '../../../lab/case/expand.ts';
import { loadCase } from '../../../lab/case/load.ts';
import { applyRelabels } from '../../../lab/case/relabel.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';

const CASES_DIR = '/work/shared/netpol-cases';
const caseFiles = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('every shared case', () => {
  it('finds the case files', () => expect(caseFiles.length).toBeGreaterThanOrEqual(20));

  it.each(caseFiles)('%s expands to 72 probes per probe entry', async (file) => {
    const c = unwrap(await loadCase(join(CASES_DIR, file)));
    const x = unwrap(expandCase(c));
    expect(x.topology.pods).toHaveLength(9);
    expect(x.steps).toHaveLength(c.steps.length);
    for (const [i, step] of x.steps.entries()) {
      expect(step.probes).toHaveLength(72 * c.steps[i]!.probes.length);
      for (const p of step.probes) expect(p.from).not.toBe(p.to);
    }
  });
});

describe('topology', () => {
  it('xyz: namespaces carry ns and metadata.name, pods serve 4 named ports', () => {
    const t = unwrap(expandTopology(unwrap(parseCase({ name: 'n', topology: 'xyz', steps: [{}] }))));
    expect(t.namespaces.map((n) => n.name)).toEqual(['x', 'y', 'z']);
    expect(t.namespaces[1]!.labels).toEqual({ ns: 'y', 'kubernetes.io/metadata.name': 'y' });
    expect(t.pods.map((p) => p.key)).toEqual(['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c']);
    expect(t.pods[0]!.labels).toEqual({ pod: 'a' });
    expect(t.pods[0]!.ports).toEqual([
      { port: 80, protocol: 'TCP', name: 'serve-80-tcp' },
      { port: 80, protocol: 'UDP', name: 'serve-80-udp' },
      { port: 81, protocol: 'TCP', name: 'serve-81-tcp' },
      { port: 81, protocol: 'UDP', name: 'serve-81-udp' },
    ]);
  });

  it('explicit namespaces and pods replace in place or add; metadata.name is forced', () => {
    const c = unwrap(
      parseCase({
        name: 'n',
        topology: 'xyz',
        namespaces: { y: { labels: { ns: 'y', team: 'blue', 'kubernetes.io/metadata.name': 'lie' } }, w: {} },
        pods: [
          { namespace: 'x', name: 'b', labels: { pod: 'b', extra: '1' }, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }] },
          { namespace: 'w', name: 'd', ports: [{ port: 53 }] },
        ],
        steps: [{}],
      }),
    );
    const t = unwrap(expandTopology(c));
    expect(t.namespaces.map((n) => n.name)).toEqual(['x', 'y', 'z', 'w']);
    expect(t.namespaces[1]!.labels).toEqual({ ns: 'y', team: 'blue', 'kubernetes.io/metadata.name': 'y' });
    expect(t.namespaces[3]!.labels).toEqual({ 'kubernetes.io/metadata.name': 'w' });
    expect(t.pods).toHaveLength(10);
    expect(t.pods[1]).toEqual({
      namespace: 'x',
      name: 'b',
      key: 'x/b',
      labels: { pod: 'b', extra: '1' },
      ports: [{ port: 8080, protocol: 'TCP', name: 'http' }],
      serviceAccount: { name: 'default', labels: {} }, // FORMAT.md: a pod naming none runs as default
    });
    expect(t.pods[9]!.ports).toEqual([{ port: 53, protocol: 'TCP' }]); // Kubernetes' default protocol
  });

  it('without topology the case describes the whole cluster; undeclared namespaces are errors', () => {
    const good = parseCase({ name: 'n', namespaces: { a: {} }, pods: [{ namespace: 'a', name: 'p' }], steps: [{}] });
    expect(unwrap(expandTopology(unwrap(good))).pods.map((p) => p.key)).toEqual(['a/p']);
    const bad = expandTopology(unwrap(parseCase({ name: 'n', pods: [{ namespace: 'q', name: 'p' }], steps: [{}] })));
    expect(bad.ok || bad.error.code).toBe('unknown_namespace');
    const dup = expandTopology(
      unwrap(
        parseCase({
          name: 'n',
          topology: 'xyz',
          pods: [
            { namespace: 'x', name: 'a' },
            { namespace: 'x', name: 'a' },
          ],
          steps: [{}],
        }),
      ),
    );
    expect(dup.ok || dup.error.code).toBe('duplicate_pod');
  });

  it('rejects malformed cases with a path', () => {
    const r = parseCase({ name: 'n', topology: 'xyz', steps: [{ probes: [{ port: 80, protocol: 'TCP', default: true, expcept: [] }] }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_case');
      expect(r.error.message).toContain('steps.0.probes.0');
    }
    expect(parseCase({ name: 'n', steps: [] }).ok).toBe(false);
    expect(parseCase({ name: 'n', steps: [{ probes: [{ port: 80, protocol: 'TCP', default: true, except: [{ from: 'x/a/b', to: '*' }] }] }] }).ok).toBe(false);
  });
});

describe('patterns', () => {
  it.each([
    ['*', 'x/a', true],
    ['x/*', 'x/a', true],
    ['x/*', 'y/a', false],
    ['x/a', 'x/a', true],
    ['x/a', 'x/b', false],
    ['x/a', 'y/a', false],
    ['x/*', 'xx/a', false],
  ] as const)('%s ~ %s = %s', (pattern, key, want) => expect(matchesPattern(pattern, key)).toBe(want));
});

describe('probe expansion', () => {
  const topo = unwrap(expandTopology(unwrap(parseCase({ name: 'n', topology: 'xyz', steps: [{}] }))));

  it('orders by entry, from, to and applies default/except as a union', () => {
    const probes = unwrap(
      expandProbes(topo, [
        {
          port: 80,
          protocol: 'TCP',
          default: true,
          except: [
            { from: 'x/*', to: '*' },
            { from: '*', to: 'x/a' },
          ],
        },
        { port: 81, protocol: 'UDP', default: false, except: [{ from: 'y/b', to: 'z/c' }] },
      ]),
    );
    expect(probes).toHaveLength(144);
    expect(probes[0]).toEqual({ from: 'x/a', to: 'x/b', port: 80, protocol: 'TCP', expected: false });
    const get = (i: number, from: string, to: string) => probes.slice(i * 72, i * 72 + 72).find((p) => p.from === from && p.to === to)!.expected;
    expect(get(0, 'x/b', 'y/a')).toBe(false); // from x/*
    expect(get(0, 'y/a', 'x/a')).toBe(false); // to x/a
    expect(get(0, 'y/a', 'x/b')).toBe(true);
    expect(probes.slice(0, 72).filter((p) => !p.expected)).toHaveLength(8 * 3 + 6); // 3 senders x 8, plus 6 others -> x/a
    expect(probes.slice(72).filter((p) => p.expected)).toEqual([{ from: 'y/b', to: 'z/c', port: 81, protocol: 'UDP', expected: true }]);
  });

  it('flags patterns that match nothing and unservable expectations', () => {
    const r1 = expandProbes(topo, [{ port: 80, protocol: 'TCP', default: true, except: [{ from: 'w/*', to: '*' }] }]);
    expect(r1.ok || r1.error.code).toBe('pattern_matches_nothing');
    const r2 = expandProbes(topo, [{ port: 82, protocol: 'TCP', default: true, except: [] }]);
    expect(r2.ok || r2.error.code).toBe('port_not_served');
    // expecting *no* connection to an unserved port is fine (it is a trivially true fact)
    expect(expandProbes(topo, [{ port: 82, protocol: 'TCP', default: false, except: [] }]).ok).toBe(true);
  });
});

describe('address substitution', () => {
  const addrs: Record<string, string> = { 'y/b': '198.18.7.5', 'x/a': '198.18.7.1' };
  const lookup = (k: string) => addrs[k];

  it('replaces ${ns/pod} in every string, deep, without touching the input', () => {
    const input = {
      kind: 'NetworkPolicy',
      spec: { egress: [{ to: [{ ipBlock: { cidr: '${y/b}/32', except: ['${x/a}/32', 'plain'] } }] }], n: 3, b: null },
    };
    const out = unwrap(substituteAddresses(input, lookup));
    expect(out.spec.egress[0]!.to[0]!.ipBlock).toEqual({ cidr: '198.18.7.5/32', except: ['198.18.7.1/32', 'plain'] });
    expect(out.spec.n).toBe(3);
    expect(out.spec.b).toBeNull();
    expect(input.spec.egress[0]!.to[0]!.ipBlock.cidr).toBe('${y/b}/32');
    expect(unwrap(substituteAddresses('${x/a}-${y/b}', lookup))).toBe('198.18.7.1-198.18.7.5');
  });

  it('reports unknown pods with their path', () => {
    const r = substituteAddresses({ a: [{ cidr: '${q/z}/32' }] }, lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('unknown_placeholder');
      expect(r.error.details).toEqual({ key: 'q/z', path: 'a.0.cidr' });
    }
  });
});

describe('relabel', () => {
  const topo = unwrap(expandTopology(unwrap(parseCase({ name: 'n', topology: 'xyz', steps: [{}] }))));
  it('replaces labels whole and keeps metadata.name on namespaces', () => {
    const t = unwrap(
      applyRelabels(topo, [
        { kind: 'Namespace', name: 'y', labels: { ns2: 'updated' } },
        { kind: 'Pod', namespace: 'x', name: 'b', labels: { pod2: 'updated' } },
      ]),
    );
    expect(t.namespaces[1]!.labels).toEqual({ ns2: 'updated', 'kubernetes.io/metadata.name': 'y' });
    expect(t.pods[1]!.labels).toEqual({ pod2: 'updated' });
    expect(topo.pods[1]!.labels).toEqual({ pod: 'b' }); // input untouched
    const bad = applyRelabels(topo, [{ kind: 'Pod', namespace: 'x', name: 'q', labels: {} }]);
    expect(bad.ok || bad.error.code).toBe('unknown_pod');
  });
});
