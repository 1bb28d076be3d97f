// Pod bandwidth annotations (Kubernetes' and Calico's) to the limit of each direction.
import { describe, expect, it } from 'vitest';
import { bandwidthAnnotationsOf, bandwidthFromAnnotations } from '../../../policy/bandwidth/annotations.ts';
import { defaultBurstBytes } from '../../../policy/bandwidth/burst.ts';

describe('bandwidthFromAnnotations', () => {
  it('reads the Kubernetes annotations with the default burst', () => {
    expect(bandwidthFromAnnotations({ 'kubernetes.io/egress-bandwidth': '50M' })).toEqual({
      egress: { rateBitsPerSecond: 50_000_000, burstBytes: defaultBurstBytes(50_000_000), source: 'kubernetes.io/egress-bandwidth' },
      issues: [],
    });
  });

  it("reads Calico's, bursts in bits, and pairs Calico's burst with a Kubernetes rate too", () => {
    expect(bandwidthFromAnnotations({ 'qos.projectcalico.org/ingressBandwidth': '1G', 'qos.projectcalico.org/ingressBurst': '8Mi' }).ingress).toEqual({
      rateBitsPerSecond: 1_000_000_000,
      burstBytes: 1024 * 1024,
      source: 'qos.projectcalico.org/ingressBandwidth',
    });
    expect(bandwidthFromAnnotations({ 'kubernetes.io/ingress-bandwidth': '10M', 'qos.projectcalico.org/ingressBurst': '4M' }).ingress).toEqual({
      rateBitsPerSecond: 10_000_000,
      burstBytes: 500_000,
      source: 'kubernetes.io/ingress-bandwidth',
    });
  });

  it('keeps the stricter rate when both are written', () => {
    const both = bandwidthFromAnnotations({ 'kubernetes.io/egress-bandwidth': '20M', 'qos.projectcalico.org/egressBandwidth': '100M' });
    expect(both.egress).toMatchObject({ rateBitsPerSecond: 20_000_000, source: 'kubernetes.io/egress-bandwidth' });
    expect(both.ingress).toBeUndefined();
  });

  it('raises a tiny burst to the 64 KiB floor', () => {
    expect(bandwidthFromAnnotations({ 'qos.projectcalico.org/egressBandwidth': '1M', 'qos.projectcalico.org/egressBurst': '1k' }).egress?.burstBytes).toBe(
      64 * 1024,
    );
  });

  it('reports and ignores what does not parse or is out of range, and a burst without a rate', () => {
    const result = bandwidthFromAnnotations({
      'kubernetes.io/ingress-bandwidth': 'lots',
      'qos.projectcalico.org/ingressBandwidth': '5M',
      'kubernetes.io/egress-bandwidth': '-1M',
      'qos.projectcalico.org/egressBurst': '2M',
    });
    expect(result.ingress).toMatchObject({ rateBitsPerSecond: 5_000_000, source: 'qos.projectcalico.org/ingressBandwidth' });
    expect(result.egress).toBeUndefined();
    expect(result.issues).toEqual([
      { annotation: 'kubernetes.io/ingress-bandwidth', message: expect.stringMatching(/^Invalid value: "lots": must be a quantity/) },
      { annotation: 'kubernetes.io/egress-bandwidth', message: 'Invalid value: "-1M": must not be negative' },
      { annotation: 'qos.projectcalico.org/egressBurst', message: expect.stringMatching(/needs a rate/) },
    ]);
  });

  it('keeps a valid rate when only its burst is invalid', () => {
    const result = bandwidthFromAnnotations({ 'qos.projectcalico.org/egressBandwidth': '1M', 'qos.projectcalico.org/egressBurst': '0' });
    expect(result.egress).toEqual({ rateBitsPerSecond: 1_000_000, burstBytes: defaultBurstBytes(1_000_000), source: 'qos.projectcalico.org/egressBandwidth' });
    expect(result.issues).toHaveLength(1);
  });

  it('has nothing to say about a pod without them', () => {
    expect(bandwidthFromAnnotations(undefined)).toEqual({ issues: [] });
    expect(bandwidthFromAnnotations({ 'example.com/other': 'x' })).toEqual({ issues: [] });
  });
});

describe('bandwidthAnnotationsOf', () => {
  it('keeps only the bandwidth annotations', () => {
    expect(
      bandwidthAnnotationsOf({
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'kubernetes.io/egress-bandwidth': '1M',
        'qos.projectcalico.org/ingressBurst': '1M',
      }),
    ).toEqual({ 'kubernetes.io/egress-bandwidth': '1M', 'qos.projectcalico.org/ingressBurst': '1M' });
    expect(bandwidthAnnotationsOf(undefined)).toEqual({});
  });
});
