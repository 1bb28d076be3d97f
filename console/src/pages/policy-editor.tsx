// Create or edit a policy in YAML. The page itself is light; the editor (CodeMirror, the YAML parser)
// arrives as a lazy chunk when the page opens.
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import type { Policy } from '../client/types.ts';
import { ErrorNotice, Loading, Show, useLoad } from '../components/async-state.tsx';
import type { WorkbenchProps } from '../editor/policy-workbench.tsx';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';

const NEW_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: backend
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: frontend
      ports:
        - port: 8080
`;

function useWorkbench(): { component?: FunctionComponent<WorkbenchProps>; error?: Error } {
  const [loaded, setLoaded] = useState<{ component?: FunctionComponent<WorkbenchProps>; error?: Error }>({});
  useEffect(() => {
    import('../editor/policy-workbench.tsx').then(
      (module) => setLoaded({ component: module.default }),
      (error: Error) => setLoaded({ error }),
    );
  }, []);
  return loaded;
}

export function PolicyEditorPage(props: { clusterId: string; policyId?: string }) {
  const { canWrite } = useSession();
  const workbench = useWorkbench();
  const source = useLoad(async () => {
    if (!props.policyId) return { title: 'New policy', text: NEW_POLICY };
    const policy = await api<Policy>(`/v1/policies/${props.policyId}`);
    const text = await api<string>(`/v1/policies/${props.policyId}`, { accept: 'application/yaml' });
    return { title: `${policy.kind} ${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`, text };
  }, [props.policyId]);
  const Workbench = workbench.component;
  return (
    <Show loaded={source} what="the policy">
      {({ title, text }) => (
        <>
          <h1>{title}</h1>
          {workbench.error && <ErrorNotice error={workbench.error} />}
          {Workbench ? (
            <Workbench clusterId={props.clusterId} initialText={text} canWrite={canWrite} onApplied={() => navigate(`/clusters/${props.clusterId}/policies`)} />
          ) : (
            !workbench.error && <Loading what="the editor" />
          )}
        </>
      )}
    </Show>
  );
}
