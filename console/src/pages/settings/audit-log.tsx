// The audit log: every write, filterable by resource, actor, action and time, a page at a time
// (cursor-paginated), each with its before/after as a diff.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../client/client.ts';
import type { AuditEvent, Page } from '../../client/types.ts';
import { Empty, ErrorNotice, Loading } from '../../components/async-state.tsx';
import { DiffView } from '../../components/diff-view.tsx';
import { described, Field } from '../../components/field.tsx';
import { formatTime } from '../../format.ts';
import { SettingsTabs } from './tabs.tsx';

interface AuditFilters {
  resourceType: string;
  resourceId: string;
  actor: string;
  action: string;
  since: string;
  until: string;
}

const EMPTY: AuditFilters = { resourceType: '', resourceId: '', actor: '', action: '', since: '', until: '' };
const asJson = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value, null, 2));
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

function AuditEntry(props: { event: AuditEvent }) {
  const { event } = props;
  const [open, setOpen] = useState(false);
  return (
    <li class="audit-entry">
      <button type="button" class="quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
        {formatTime(event.at)} · <strong>{event.actor}</strong> {event.action} {event.resourceType} {event.resourceId ?? ''}
      </button>
      {open && <DiffView label={`Before and after ${event.action}`} before={asJson(event.before)} after={asJson(event.after)} />}
    </li>
  );
}

export function AuditLogPage() {
  const [draft, setDraft] = useState<AuditFilters>(EMPTY);
  const [events, setEvents] = useState<AuditEvent[]>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const load = async (cursor: string | undefined) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api<Page<AuditEvent>>(
        `/v1/audit-events${query({ ...draft, since: isoOf(draft.since), until: isoOf(draft.until), cursor, limit: 50 })}`,
      );
      setEvents((current) => (cursor ? [...(current ?? []), ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load(undefined);
  }, []);
  const set = (name: keyof AuditFilters) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  return (
    <>
      <h1>Settings</h1>
      <SettingsTabs current="/settings/audit" />
      <h2>Audit log</h2>
      <form
        class="filters"
        aria-label="Audit log filters"
        onSubmit={(event) => {
          event.preventDefault();
          void load(undefined);
        }}
      >
        <Field id="audit-type" label="Resource type">
          <input {...described('audit-type', undefined)} value={draft.resourceType} onChange={set('resourceType')} />
        </Field>
        <Field id="audit-id" label="Resource id">
          <input {...described('audit-id', undefined)} value={draft.resourceId} onChange={set('resourceId')} />
        </Field>
        <Field id="audit-actor" label="Actor">
          <input {...described('audit-actor', undefined)} value={draft.actor} onChange={set('actor')} />
        </Field>
        <Field id="audit-action" label="Action">
          <input {...described('audit-action', undefined)} value={draft.action} onChange={set('action')} />
        </Field>
        <Field id="audit-since" label="Since">
          <input {...described('audit-since', undefined)} type="datetime-local" value={draft.since} onChange={set('since')} />
        </Field>
        <Field id="audit-until" label="Until">
          <input {...described('audit-until', undefined)} type="datetime-local" value={draft.until} onChange={set('until')} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      {error && <ErrorNotice error={error} retry={() => void load(undefined)} />}
      {events === undefined ? (
        !error && <Loading what="the audit log" />
      ) : events.length === 0 ? (
        <Empty>
          <p>No audit events match.</p>
        </Empty>
      ) : (
        <>
          <ul class="audit">
            {events.map((event) => (
              <AuditEntry key={event.id} event={event} />
            ))}
          </ul>
          {next && (
            <button type="button" disabled={busy} onClick={() => void load(next)}>
              {busy ? 'Loading…' : 'Older events'}
            </button>
          )}
        </>
      )}
    </>
  );
}
