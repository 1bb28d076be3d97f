// policy.palisade.dev/v1alpha1 BandwidthPolicy: validation with field paths, the stored form, the IR.
import { describe, expect, it } from 'vitest';
import { defaultBurstBytes } from '../../../policy/bandwidth/burst.ts';
import { type BandwidthPolicy, bandwidthPolicySchema } from '../../../policy/ir.ts';
import { parseObject } from '../../../policy/kinds/index.ts';
import { expectIssue, expectStoredIsStable, expectValid, storedOf } from './parse-helpers.ts';

function bandwidthPolicy(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return { apiVersion: 'policy.palisade.dev/v1alpha1', kind: 'BandwidthPolicy', metadata: { name: 'limit', namespace: 'shop', ...metadata }, spec };
}

function irOf(object: unknown): BandwidthPolicy {
  const result = parseObject(object);
  if (!result.ok || result.resource.type !== 'bandwidthPolicy') throw new Error(JSON.stringify(result));
  return bandwidthPolicySchema.parse(result.resource.bandwidthPolicy);
}

describe('BandwidthPolicy', () => {
  it('normalises to IR with concrete rates and bursts, scope Pod by default', () => {
    const ir = irOf(bandwidthPolicy({ podSelector: { matchLabels: { app: 'batch' } }, egress: { rate: '50M' }, ingress: { rate: 1e9, burst: '16Mi' } }));
    expect(ir).toEqual({
      id: 'BandwidthPolicy/shop/limit',
      namespace: 'shop',
      name: 'limit',
      subject: { namespaceSelector: { op: 'eq', key: 'kubernetes.io/metadata.name', value: 'shop' }, podSelector: { op: 'eq', key: 'app', value: 'batch' } },
      scope: 'Pod',
      ingress: { rateBitsPerSecond: 1_000_000_000, burstBytes: 2 * 1024 * 1024 },
      egress: { rateBitsPerSecond: 50_000_000, burstBytes: defaultBurstBytes(50_000_000) },
    });
    expect(irOf(bandwidthPolicy({ podSelector: {}, scope: 'Namespace', egress: { rate: '1G' } })).scope).toBe('Namespace');
  });

  it('raises a burst below 64 KiB to 64 KiB', () => {
    expect(irOf(bandwidthPolicy({ podSelector: {}, egress: { rate: '1M', burst: '8k' } })).egress?.burstBytes).toBe(64 * 1024);
  });

  it('stores scope defaulted and quantities as written', () => {
    expect(storedOf(bandwidthPolicy({ podSelector: {}, egress: { rate: 5_000_000 } }))).toEqual({
      apiVersion: 'policy.palisade.dev/v1alpha1',
      kind: 'BandwidthPolicy',
      metadata: { name: 'limit', namespace: 'shop' },
      spec: { podSelector: {}, scope: 'Pod', egress: { rate: '5000000' } },
    });
    expectStoredIsStable(bandwidthPolicy({ podSelector: { matchLabels: { b: '1', a: '2' } }, ingress: { rate: '1M', burst: '1M' } }));
  });

  it('refuses negative, zero, unparseable and absurd values at their field, saying why', () => {
    const egress = (rate: unknown) => bandwidthPolicy({ podSelector: {}, egress: { rate } });
    expectIssue(egress('-5M'), ['spec', 'egress', 'rate'], 'Invalid value: "-5M": must not be negative');
    expectIssue(egress(-5), ['spec', 'egress', 'rate'], 'Invalid value: "-5": must not be negative');
    expectIssue(egress('0'), ['spec', 'egress', 'rate'], 'Invalid value: "0": must be greater than zero');
    expectIssue(egress('10 Mbps'), ['spec', 'egress', 'rate'], /^Invalid value: "10 Mbps": must be a quantity such as 10M/);
    expectIssue(egress(true), ['spec', 'egress', 'rate'], /^Invalid value: true: must be a quantity/);
    expectIssue(egress('5P'), ['spec', 'egress', 'rate'], 'Invalid value: "5P": is unreasonably large (more than 1P bit/s)');
    expectIssue(egress('10'), ['spec', 'egress', 'rate'], 'Invalid value: "10": is unreasonably small (less than 1k bit/s)');
    expectIssue(
      bandwidthPolicy({ podSelector: {}, ingress: { rate: '1M', burst: '64Gi' } }),
      ['spec', 'ingress', 'burst'],
      /is unreasonably large \(more than 34359738360 bits\)/,
    );
  });

  it('requires a selector, a rate and at least one direction; knows only its scopes', () => {
    expectIssue(bandwidthPolicy({ podSelector: {} }), ['spec'], 'Required value: must limit ingress, egress or both');
    expectIssue(bandwidthPolicy({ podSelector: {}, egress: { burst: '1M' } }), ['spec', 'egress', 'rate'], 'Required value');
    expectIssue(bandwidthPolicy({ egress: { rate: '1M' } }), ['spec', 'podSelector'], 'Required value');
    expectIssue(
      bandwidthPolicy({ podSelector: {}, scope: 'Node', egress: { rate: '1M' } }),
      ['spec', 'scope'],
      'Unsupported value: "Node": supported values: "Pod", "Namespace"',
    );
    expectIssue(bandwidthPolicy({ podSelector: {}, egress: { rate: '1M', ceil: '2M' } }), ['spec', 'egress', 'ceil'], 'unknown field "ceil"');
    expectIssue(bandwidthPolicy({ podSelector: {}, egress: { rate: '1M' } }, { namespace: undefined }), ['metadata', 'namespace'], 'Required value');
    expectValid(bandwidthPolicy({ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch'] }] }, ingress: { rate: '1k' } }));
  });
});
