// Which page a path shows: the public ones (sign-in, sign-up, accept-invite) and the signed-in ones.
import type { Session } from '../client/types.ts';
import { Empty } from '../components/async-state.tsx';
import { Link } from '../components/link.tsx';
import { matchPath } from '../router.ts';
import { AcceptInvitePage } from './accept-invite.tsx';
import { ClusterPage } from './cluster.tsx';
import { ClustersPage } from './clusters.tsx';
import { ExplainPage } from './explain.tsx';
import { FlowsPage } from './flows.tsx';
import { PolicyBoardPage } from './policy-board.tsx';
import { PolicyEditorPage } from './policy-editor.tsx';
import { ApiKeysPage } from './settings/api-keys.tsx';
import { AuditLogPage } from './settings/audit-log.tsx';
import { MembersPage } from './settings/members.tsx';
import { SignInPage } from './sign-in.tsx';
import { SignUpPage } from './sign-up.tsx';
import { UsagePage } from './usage.tsx';

export function PublicPage(props: { path: string; expired: boolean; onSignedIn: (session: Session) => void }) {
  if (props.path === '/sign-up') return <SignUpPage onSignedIn={props.onSignedIn} />;
  if (props.path === '/accept-invite') return <AcceptInvitePage onSignedIn={props.onSignedIn} />;
  return <SignInPage expired={props.expired} onSignedIn={props.onSignedIn} />;
}

export function PrivatePage(props: { path: string }) {
  const { path } = props;
  if (path === '/clusters') return <ClustersPage />;
  if (path === '/usage') return <UsagePage />;
  if (path === '/settings/api-keys') return <ApiKeysPage />;
  if (path === '/settings/members') return <MembersPage />;
  if (path === '/settings/audit') return <AuditLogPage />;
  let params = matchPath('/clusters/:id', path);
  if (params) return <ClusterPage clusterId={params.id!} />;
  params = matchPath('/clusters/:id/policies', path);
  if (params) return <PolicyBoardPage clusterId={params.id!} />;
  params = matchPath('/clusters/:id/policies/new', path);
  if (params) return <PolicyEditorPage clusterId={params.id!} />;
  params = matchPath('/clusters/:id/policies/:policyId', path);
  if (params) return <PolicyEditorPage clusterId={params.id!} policyId={params.policyId!} />;
  params = matchPath('/clusters/:id/flows', path);
  if (params) return <FlowsPage clusterId={params.id!} />;
  params = matchPath('/clusters/:id/explain', path);
  if (params) return <ExplainPage clusterId={params.id!} />;
  return (
    <Empty>
      <h1>Nothing here</h1>
      <p>
        No page at {path}. <Link href="/clusters">Go to your clusters</Link>.
      </p>
    </Empty>
  );
}
