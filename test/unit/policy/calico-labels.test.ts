import { describe, expect, it } from 'vitest';
import { parseCalicoSelector } from '../../../policy/selector/calico/index.ts';
import { calicoEndpointLabels, calicoNetworkSetLabels, calicoServiceAccountLabels } from '../../../policy/selector/calico-labels.ts';
import { matches } from '../../../policy/selector/match.ts';

function select(text: string, labels: Record<string, string>): boolean {
  const result = parseCalicoSelector(text);
  if (!result.ok) throw new Error(result.message);
  return matches(result.selector, labels);
}

describe("Calico's automatic labels", () => {
  it('let endpoint selectors name the namespace, orchestrator and service account', () => {
    const labels = calicoEndpointLabels({ app: 'web' }, { namespace: 'prod', serviceAccount: 'web-sa' });
    expect(select('projectcalico.org/namespace == "prod" && app == "web"', labels)).toBe(true);
    expect(select('projectcalico.org/orchestrator == "k8s"', labels)).toBe(true);
    expect(select('projectcalico.org/serviceaccount == "web-sa"', labels)).toBe(true);
    expect(select('projectcalico.org/namespace == "dev"', labels)).toBe(false);
  });

  it('override a same-named label the pod sets itself', () => {
    expect(calicoEndpointLabels({ 'projectcalico.org/namespace': 'fake' }, { namespace: 'real' })['projectcalico.org/namespace']).toBe('real');
  });

  it('name a service account by projectcalico.org/name', () => {
    expect(select('projectcalico.org/name == "web-sa"', calicoServiceAccountLabels({ team: 'a' }, 'web-sa'))).toBe(true);
  });

  it('give namespaced network sets their namespace and global ones none', () => {
    expect(calicoNetworkSetLabels({ a: 'b' }, 'x')).toEqual({ a: 'b', 'projectcalico.org/namespace': 'x' });
    expect(calicoNetworkSetLabels({ a: 'b' }, null)).toEqual({ a: 'b' });
  });
});
