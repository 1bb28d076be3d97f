// The console's shell: finds out whether someone is signed in, sends signed-out visitors to sign in
// (and back to where they were going afterwards, also when a session expires mid-way), and renders the
// page the path names inside the layout.
import { useEffect, useState } from 'preact/hooks';
import { api, onSessionExpired, setCsrfToken } from './client/client.ts';
import type { Session } from './client/types.ts';
import { ErrorNotice, Loading } from './components/async-state.tsx';
import { Layout } from './components/layout.tsx';
import { PrivatePage, PublicPage } from './pages/routes.tsx';
import { navigate, useLocation } from './router.ts';
import { describeSession, probeSession, SessionContext } from './session.ts';

const PUBLIC_PATHS = new Set(['/sign-in', '/sign-up', '/accept-invite']);

type Probe = { state: 'probing' } | { state: 'failed'; error: Error } | { state: 'known'; session: Session | undefined };

export function App() {
  const { path, search } = useLocation();
  const [probe, setProbe] = useState<Probe>({ state: 'probing' });
  const [expired, setExpired] = useState(false);

  const runProbe = () => {
    setProbe({ state: 'probing' });
    probeSession().then(
      (session) => setProbe({ state: 'known', session }),
      (error: Error) => setProbe({ state: 'failed', error }),
    );
  };
  useEffect(() => {
    onSessionExpired(() => {
      setCsrfToken(undefined);
      setExpired(true);
      setProbe({ state: 'known', session: undefined });
    });
    runProbe();
  }, []);

  const signedIn = probe.state === 'known' ? probe.session : undefined;
  const isPublic = PUBLIC_PATHS.has(path);
  useEffect(() => {
    if (probe.state !== 'known') return;
    if (!signedIn && !isPublic) navigate(`/sign-in?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    else if (signedIn && (isPublic || path === '/')) navigate(safeNext(search.get('next')), { replace: true });
  }, [probe, path]);

  if (probe.state === 'probing') return <Loading what="the console" />;
  if (probe.state === 'failed')
    return (
      <main class="centered">
        <ErrorNotice error={probe.error} retry={runProbe} />
      </main>
    );

  const signIn = (session: Session) => {
    setCsrfToken(session.csrfToken);
    setExpired(false);
    setProbe({ state: 'known', session });
  };
  if (!signedIn) return isPublic ? <PublicPage path={path} expired={expired} onSignedIn={signIn} /> : <Loading what="the sign-in page" />;
  if (isPublic || path === '/') return <Loading what="your clusters" />;

  const signOut = async () => {
    await api('/v1/session', { method: 'DELETE' }).catch(() => undefined);
    setCsrfToken(undefined);
    setExpired(false);
    setProbe({ state: 'known', session: undefined });
  };
  return (
    <SessionContext.Provider value={describeSession(signedIn, signOut)}>
      <Layout path={path}>
        <PrivatePage path={path} />
      </Layout>
    </SessionContext.Provider>
  );
}

/** Only a path on this origin, never an absolute URL somebody put in a link. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !PUBLIC_PATHS.has(next.split('?')[0]!) ? next : '/clusters';
}
