// A secret shown once (an API key, an agent token, an invite link): selectable, copyable, and
// plainly marked as not retrievable later.
import { useState } from 'preact/hooks';

export function ShownOnce(props: { label: string; value: string; multiline?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="shown-once" aria-label={props.label}>
      <p>
        <strong>{props.label}</strong> — shown only now; copy it before leaving this page.
      </p>
      {props.multiline ? (
        <textarea readOnly rows={6} aria-label={props.label} value={props.value} />
      ) : (
        <input readOnly aria-label={props.label} value={props.value} />
      )}
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(props.value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </section>
  );
}
