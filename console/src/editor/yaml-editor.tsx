// The YAML editor: CodeMirror 6 with YAML highlighting and a lint gutter showing problems at their
// lines. Part of the editor's lazy chunk, so the first load does not carry CodeMirror.
// It lives in a shadow root: there CodeMirror styles itself with constructed style sheets instead of
// inserting <style> elements, which the console's Content-Security-Policy (style-src 'self') refuses.
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import type { LocatedProblem } from '../policies/problem-lines.ts';

/** The console's look inside the shadow root, where its stylesheet does not reach. */
const EDITOR_THEME = EditorView.theme({
  '&': { minHeight: '18rem', fontSize: '0.9rem' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
  '&.cm-focused': { outline: '3px solid #0b57d0', outlineOffset: '2px' },
});

// The editor owns its document: `initialValue` seeds it and `onChange` reports every change. Echoing a
// `value` prop back into the document would loop: Preact runs effects after paint, so an effect from an
// older render can hold an older text than the document, replace it, and start a ping-pong of renders.
export function YamlEditor(props: { initialValue: string; onChange: (text: string) => void; problems: LocatedProblem[]; readOnly: boolean; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.replaceChildren(parent);
    view.current = new EditorView({
      root: shadow,
      parent,
      doc: props.initialValue,
      extensions: [
        basicSetup,
        EDITOR_THEME,
        yaml(),
        lintGutter(),
        EditorView.editable.of(!props.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': props.label, 'aria-multiline': 'true' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange.current(update.state.doc.toString());
        }),
      ],
    });
    return () => view.current?.destroy();
  }, []);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const length = current.state.doc.length;
    const diagnostics: Diagnostic[] = props.problems.map((problem) => ({
      from: Math.min(problem.from, length),
      to: Math.min(problem.to, length),
      severity: 'error',
      message: problem.path ? `${problem.path}: ${problem.message}` : problem.message,
    }));
    current.dispatch(setDiagnostics(current.state, diagnostics));
  }, [props.problems]);

  return <div class="yaml-editor" ref={host} />;
}
