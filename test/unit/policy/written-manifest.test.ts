// The written form reads return: the document as its author wrote it, less the metadata fields the
// API server sets (pasted from `kubectl get -o yaml`), which every kind accepts and drops.
import { describe, expect, it } from 'vitest';
import { withoutDiscardedMetadata } from '../../../policy/kinds/shared/object-meta.ts';

describe('the written form of a document', () => {
  it('drops server-set metadata and keeps everything else exactly, defaults not filled in and nulls kept', () => {
    const document = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'web',
        namespace: 'shop',
        labels: { app: 'web' },
        annotations: { note: 'kept' },
        uid: '0b9d',
        resourceVersion: '12345',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl' }],
        ownerReferences: [{ uid: 'x' }],
        finalizers: ['f'],
      },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], egress: null },
    };
    expect(withoutDiscardedMetadata(document)).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { note: 'kept' } },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], egress: null },
    });
    expect(document.metadata.resourceVersion).toBe('12345');
  });
});
