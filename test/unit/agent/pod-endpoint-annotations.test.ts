// The Kubernetes inventory source keeps a pod's bandwidth annotations, and only those.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podEndpoint } from '../../../agent/inventory/pod-endpoint.ts';

const pod = (annotations?: Record<string, string>): V1Pod => ({
  metadata: { namespace: 'shop', name: 'web', ...(annotations && { annotations }) },
  spec: { nodeName: 'node-a', containers: [] },
  status: { podIP: '198.18.0.10' },
});

describe('podEndpoint annotations', () => {
  it('copies the bandwidth annotations', () => {
    const endpoint = podEndpoint(
      pod({
        'kubernetes.io/ingress-bandwidth': '10M',
        'qos.projectcalico.org/egressBurst': '1Mi',
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
      }),
      'node-a',
      () => 'veth0',
    );
    expect(endpoint?.annotations).toEqual({ 'kubernetes.io/ingress-bandwidth': '10M', 'qos.projectcalico.org/egressBurst': '1Mi' });
  });

  it('leaves the key out when there are none', () => {
    expect(podEndpoint(pod({ other: 'x' }), 'node-a', () => 'veth0')).not.toHaveProperty('annotations');
    expect(podEndpoint(pod(), 'node-a', () => 'veth0')).not.toHaveProperty('annotations');
  });
});
