// Loading, error and empty states, and the hook that loads a page's data: every page shows one of the
// three while it has nothing else to show, and an error offers to try again.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure } from '../client/client.ts';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T };

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setLoaded({ state: 'ready', data }),
      (error: Error) => current && setLoaded({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...loaded, reload };
}

export function Loading(props: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

export function ErrorNotice(props: { error: Error; retry?: () => void }) {
  const status = props.error instanceof ApiFailure ? props.error.status : undefined;
  return (
    <div class="notice error" role="alert">
      <p>
        {status === 403 ? 'Your role does not allow this. ' : ''}
        {props.error.message}
      </p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="state empty">{props.children}</div>;
}

/** Renders the ready data, or the loading / error state in its place. */
export function Show<T>(props: { loaded: Loaded<T> & { reload: () => void }; what: string; children: (data: T) => ComponentChildren }) {
  const { loaded } = props;
  if (loaded.state === 'loading') return <Loading what={props.what} />;
  if (loaded.state === 'error') return <ErrorNotice error={loaded.error} retry={loaded.reload} />;
  return <>{props.children(loaded.data)}</>;
}
