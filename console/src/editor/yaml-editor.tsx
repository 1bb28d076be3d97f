// The YAML editor: CodeMirror 6 with YAML highlighting and a lint gutter showing problems at their
// lines. Part of the editor's lazy chunk, so the first load does not carry CodeMirror.
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import type { LocatedProblem } from '../policies/problem-lines.ts';

export function YamlEditor(props: { value: string; onChange: (text: string) => void; problems: LocatedProblem[]; readOnly: boolean; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    view.current = new EditorView({
      parent: host.current!,
      doc: props.value,
      extensions: [
        basicSetup,
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

  // Text set from outside (a loaded policy) replaces the document; the member's own typing is already there.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== props.value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

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
