// A line diff rendered as a unified diff, with +/- marks as text (not colour alone) for readers who
// cannot tell the colours apart.
import { lineDiff } from '../policies/line-diff.ts';

export function DiffView(props: { before: string; after: string; label: string }) {
  const lines = lineDiff(props.before, props.after);
  return (
    <section aria-label={props.label}>
      <pre class="diff">
        {lines.map((line, index) => (
          <div key={index} class={`diff-${line.kind}`}>
            {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
            {line.text}
          </div>
        ))}
      </pre>
    </section>
  );
}
