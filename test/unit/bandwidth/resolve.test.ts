// Token buckets per endpoint and direction: the pod's own (annotations and Pod-scoped policies, the
// strictest), shared namespace buckets, the tenant ceiling; local endpoints by default.
import { describe, expect, it } from 'vitest';
import { defaultBurstBytes } from '../../../policy/bandwidth/burst.ts';
import { resolveEndpointBandwidth } from '../../../policy/bandwidth/resolve.ts';
import { type InventoryInput, inventorySchema } from '../../../policy/inventory.ts';
import type { BundleLimits, PolicySet } from '../../../policy/ir.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

function inventory(pods: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; local?: boolean }[]) {
  const input: InventoryInput = {
    namespaces: [{ name: 'shop' }, { name: 'lab' }],
    endpoints: pods.map((pod, i) => ({
      namespace: pod.namespace ?? 'shop',
      name: pod.name,
      labels: pod.labels ?? {},
      ipv4: [`198.18.0.${i + 1}`],
      ...(pod.local !== false && { hostInterface: `veth${i}` }),
      ...(pod.annotations && { annotations: pod.annotations }),
    })),
  };
  return inventorySchema.parse(input);
}

function bandwidthPolicy(name: string, spec: Record<string, unknown>, namespace = 'shop') {
  return { apiVersion: 'policy.palisade.dev/v1alpha1', kind: 'BandwidthPolicy', metadata: { name, namespace }, spec: { podSelector: {}, ...spec } };
}

const set = (objects: unknown[], limits?: BundleLimits): PolicySet => policySetFromObjects(objects, limits ? { limits } : {});
const M = 1_000_000;

describe('resolveEndpointBandwidth', () => {
  it('gives local endpoints without any limit empty lists, and leaves remote ones out', () => {
    const result = resolveEndpointBandwidth(set([]), inventory([{ name: 'a' }, { name: 'b', local: false }]));
    expect([...result.endpoints]).toEqual([['shop/a', { ingress: [], egress: [] }]]);
    expect(result.issues).toEqual([]);
    expect([...resolveEndpointBandwidth(set([]), inventory([{ name: 'a' }, { name: 'b', local: false }]), { endpoints: 'all' }).endpoints.keys()]).toEqual([
      'shop/a',
      'shop/b',
    ]);
    expect([
      ...resolveEndpointBandwidth(set([]), inventory([{ name: 'a' }, { name: 'b', local: false }]), { endpoints: ['shop/b', 'shop/x'] }).endpoints.keys(),
    ]).toEqual(['shop/b']);
  });

  it("charges the pod's own bucket, then each namespace policy's, then the tenant's", () => {
    const limits: BundleLimits = { bandwidthCeiling: { egress: { rateBitsPerSecond: 1000 * M, burstBytes: 1_000_000 } } };
    const objects = [
      bandwidthPolicy('pods', { podSelector: { matchLabels: { app: 'web' } }, egress: { rate: '50M' } }),
      bandwidthPolicy('shared-b', { scope: 'Namespace', egress: { rate: '200M' } }),
      bandwidthPolicy('shared-a', { scope: 'Namespace', egress: { rate: '300M', burst: '8Mi' } }),
    ];
    const result = resolveEndpointBandwidth(set(objects, limits), inventory([{ name: 'web', labels: { app: 'web' } }, { name: 'db' }]));
    expect(result.endpoints.get('shop/web')).toEqual({
      ingress: [],
      egress: [
        { id: 'pod/shop/web/egress', rateBitsPerSecond: 50 * M, burstBytes: defaultBurstBytes(50 * M), source: 'BandwidthPolicy/shop/pods' },
        {
          id: 'namespace/BandwidthPolicy/shop/shared-a/shop/egress',
          rateBitsPerSecond: 300 * M,
          burstBytes: 1024 * 1024,
          source: 'BandwidthPolicy/shop/shared-a',
        },
        {
          id: 'namespace/BandwidthPolicy/shop/shared-b/shop/egress',
          rateBitsPerSecond: 200 * M,
          burstBytes: defaultBurstBytes(200 * M),
          source: 'BandwidthPolicy/shop/shared-b',
        },
        { id: 'tenant/egress', rateBitsPerSecond: 1000 * M, burstBytes: 1_000_000, source: 'plan' },
      ],
    });
    // The unlimited neighbour shares the namespace and tenant buckets (same ids), without a pod bucket.
    expect(result.endpoints.get('shop/db')?.egress.map((b) => b.id)).toEqual([
      'namespace/BandwidthPolicy/shop/shared-a/shop/egress',
      'namespace/BandwidthPolicy/shop/shared-b/shop/egress',
      'tenant/egress',
    ]);
  });

  it("keeps the strictest of the pod's annotations and Pod-scoped policies as its one bucket", () => {
    const objects = [bandwidthPolicy('loose', { ingress: { rate: '100M' } }), bandwidthPolicy('tight', { ingress: { rate: '20M' } })];
    const pods = inventory([
      { name: 'annotated', annotations: { 'kubernetes.io/ingress-bandwidth': '10M' } },
      { name: 'plain' },
      { name: 'other-ns', namespace: 'lab', annotations: { 'qos.projectcalico.org/egressBandwidth': '5M' } },
    ]);
    const result = resolveEndpointBandwidth(set(objects), pods);
    expect(result.endpoints.get('shop/annotated')?.ingress).toEqual([
      { id: 'pod/shop/annotated/ingress', rateBitsPerSecond: 10 * M, burstBytes: defaultBurstBytes(10 * M), source: 'kubernetes.io/ingress-bandwidth' },
    ]);
    expect(result.endpoints.get('shop/plain')?.ingress).toEqual([
      { id: 'pod/shop/plain/ingress', rateBitsPerSecond: 20 * M, burstBytes: defaultBurstBytes(20 * M), source: 'BandwidthPolicy/shop/tight' },
    ]);
    // A BandwidthPolicy selects pods of its own namespace only.
    expect(result.endpoints.get('lab/other-ns')).toEqual({
      ingress: [],
      egress: [
        { id: 'pod/lab/other-ns/egress', rateBitsPerSecond: 5 * M, burstBytes: defaultBurstBytes(5 * M), source: 'qos.projectcalico.org/egressBandwidth' },
      ],
    });
  });

  it('reports an invalid annotation with its endpoint and ignores it', () => {
    const result = resolveEndpointBandwidth(set([]), inventory([{ name: 'a', annotations: { 'kubernetes.io/egress-bandwidth': '1 Gbps' } }]));
    expect(result.endpoints.get('shop/a')).toEqual({ ingress: [], egress: [] });
    expect(result.issues).toEqual([
      { endpoint: 'shop/a', field: 'kubernetes.io/egress-bandwidth', message: expect.stringMatching(/^Invalid value: "1 Gbps"/) },
    ]);
  });

  it('applies the tenant ceiling to every local endpoint, per direction', () => {
    const ceiling = { rateBitsPerSecond: 1000 * M, burstBytes: defaultBurstBytes(1000 * M) };
    const result = resolveEndpointBandwidth(set([], { bandwidthCeiling: { ingress: ceiling, egress: ceiling } }), inventory([{ name: 'a' }, { name: 'b' }]));
    for (const key of ['shop/a', 'shop/b']) {
      expect(result.endpoints.get(key)).toEqual({
        ingress: [{ id: 'tenant/ingress', ...ceiling, source: 'plan' }],
        egress: [{ id: 'tenant/egress', ...ceiling, source: 'plan' }],
      });
    }
  });
});
