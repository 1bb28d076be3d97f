// A labelled form control with its error beneath, tied together for screen readers
// (aria-describedby, aria-invalid); errors come from a problem+json's paths.
import type { ComponentChildren } from 'preact';
import { ApiFailure } from '../client/client.ts';

export function Field(props: { id: string; label: string; error?: string | undefined; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} class="field-error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A problem path as a dotted field name (`/email` and `email` alike). */
const fieldName = (path: string) => path.replace(/^\//, '').replace(/\//g, '.');

/** The message for one field, from a failed request. */
export function errorAt(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiFailure)) return undefined;
  return error.fieldErrors.find((entry) => fieldName(entry.path) === field)?.message;
}

/** The failure's message when no field of the form shows it (always, for a failure without field paths). */
function formError(error: unknown, fields: string[]): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiFailure && error.fieldErrors.length > 0 && error.fieldErrors.every((entry) => fields.includes(fieldName(entry.path))))
    return undefined;
  return (error as Error).message;
}

/** A failed submission's message, under the form, when none of its `fields` shows it. */
export function FormError(props: { error: unknown; fields: string[] }) {
  const message = formError(props.error, props.fields);
  return message ? (
    <p class="notice error" role="alert">
      {message}
    </p>
  ) : null;
}

/** Control attributes that connect an input to its error. */
export function described(id: string, error: string | undefined) {
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${id}-error` : undefined } as const;
}
