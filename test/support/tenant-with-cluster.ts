// What most API tests start from: a control plane, a signed-up tenant and one registered cluster.
import { type ApiClient, apiClient, createCluster, signUp } from './api-client.ts';
import { type DatabaseFlavour, startTestControlPlane, type TestControlPlane } from './control-plane.ts';

export interface TenantWithCluster {
  control: TestControlPlane;
  api: ApiClient;
  key: string;
  tenantId: string;
  clusterId: string;
}

/** Starts a control plane on `flavour` with `env` added to its settings, signs up a tenant and registers a cluster. */
export async function startWithTenantCluster(flavour: DatabaseFlavour, env: Record<string, string> = {}): Promise<TenantWithCluster> {
  const control = await startTestControlPlane(flavour, env);
  const api = apiClient(control.url);
  const { key, tenantId } = await signUp(api);
  const clusterId = (await createCluster(api, key)).id;
  return { control, api, key, tenantId, clusterId };
}
