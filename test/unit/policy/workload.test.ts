// Pods group into workloads by name as controllers generate them: a Deployment's pods under the
// Deployment, a DaemonSet's or Job's under it, and anything named by hand (or a StatefulSet's pods)
// as themselves.
import { describe, expect, it } from 'vitest';
import { workloadOf } from '../../../policy/workload.ts';

describe('workloadOf', () => {
  it.each([
    ['web-5c8d7b9f4-xk2lp', 'shop/web-*'],
    ['web-6f7b9c8d5-qz7rt', 'shop/web-*'],
    ['node-exporter-x2k9p', 'shop/node-exporter-*'],
    ['db-0', 'shop/db-0'],
    ['backend', 'shop/backend'],
    ['api-proxy', 'shop/api-proxy'],
    ['cache-8k2nt', 'shop/cache-*'],
  ])('%s belongs to %s', (pod, workload) => {
    expect(workloadOf('shop', pod)).toBe(workload);
  });
});
