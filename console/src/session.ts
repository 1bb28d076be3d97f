// The signed-in member as the pages see it: who they are, their tenant, and whether their role may
// write (a viewer sees no enabled write control; the server refuses the write anyway).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, setCsrfToken } from './client/client.ts';
import type { Role, Session } from './client/types.ts';

const WRITERS: ReadonlySet<Role> = new Set(['owner', 'admin', 'editor']);
const MANAGERS: ReadonlySet<Role> = new Set(['owner', 'admin']);

export interface SessionContextValue {
  session: Session;
  canWrite: boolean;
  /** Members, invites and API keys are the owner's and admins' to manage. */
  canManage: boolean;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

export function describeSession(session: Session, signOut: () => Promise<void>): SessionContextValue {
  return { session, canWrite: WRITERS.has(session.member.role), canManage: MANAGERS.has(session.member.role), signOut };
}

/** The current session, or undefined when signed out (401). */
export async function probeSession(): Promise<Session | undefined> {
  try {
    const session = await api<Session>('/v1/session', { quietUnauthorized: true });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if ((error as { status?: number }).status === 401) return undefined;
    throw error;
  }
}
