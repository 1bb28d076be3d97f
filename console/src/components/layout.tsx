// The frame of every signed-in page: a skip link, the tenant and member, the main navigation, the
// cluster's own navigation when a cluster is open, and sign-out.
import type { ComponentChildren } from 'preact';
import { matchPath } from '../router.ts';
import { useSession } from '../session.ts';
import { Link } from './link.tsx';

const MAIN_NAV = [
  { href: '/clusters', label: 'Clusters' },
  { href: '/usage', label: 'Usage' },
  { href: '/settings/api-keys', label: 'Settings', prefix: '/settings' },
];

const CLUSTER_NAV = [
  { suffix: '', label: 'Overview' },
  { suffix: '/policies', label: 'Policies' },
  { suffix: '/flows', label: 'Flows' },
  { suffix: '/explain', label: 'Explain' },
];

export function Layout(props: { path: string; children: ComponentChildren }) {
  const { session, signOut } = useSession();
  const cluster = matchPath('/clusters/:id', props.path.split('/').slice(0, 3).join('/'));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">palisade</span>
        <nav aria-label="Main">
          {MAIN_NAV.map((item) => (
            <Link key={item.href} href={item.href} current={props.path.startsWith(item.prefix ?? item.href)}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span class="who">
          {session.tenant.name} · {session.member.email} ({session.member.role})
        </span>
        <button type="button" class="quiet" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {cluster && (
        <nav class="sub" aria-label="Cluster">
          {CLUSTER_NAV.map((item) => {
            const href = `/clusters/${encodeURIComponent(cluster.id!)}${item.suffix}`;
            const current = item.suffix === '' ? props.path === href : props.path.startsWith(href);
            return (
              <Link key={item.suffix} href={href} current={current}>
                {item.label}
              </Link>
            );
          })}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
