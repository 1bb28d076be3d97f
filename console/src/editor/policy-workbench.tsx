// The policy editor's working area, loaded lazily with CodeMirror and the YAML parser: the YAML, its
// problems at their lines (syntax errors as you type, the API's validation errors after Preview or
// Apply), Preview (a dry-run apply: its diff and which observed flows would change verdict), and Apply.
import { useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { ApiFailure, api, query } from '../client/client.ts';
import type { ApplyResult } from '../client/types.ts';
import { ErrorNotice } from '../components/async-state.tsx';
import { DiffView } from '../components/diff-view.tsx';
import { ImpactView } from '../components/impact-view.tsx';
import { sortedKeys } from '../policies/key-order.ts';
import { type LocatedProblem, locateProblems, yamlSyntaxProblems } from '../policies/problem-lines.ts';
import { YamlEditor } from './yaml-editor.tsx';

const manifestText = (manifest: Record<string, unknown> | null) => (manifest ? stringify(sortedKeys(manifest)) : '');

export interface WorkbenchProps {
  clusterId: string;
  initialText: string;
  canWrite: boolean;
  onApplied: () => void;
}

export default function PolicyWorkbench(props: WorkbenchProps) {
  const [text, setText] = useState(props.initialText);
  const [apiProblems, setApiProblems] = useState<LocatedProblem[]>([]);
  const [preview, setPreview] = useState<ApplyResult>();
  /** Set when the preview could not judge observed flows: no agent has reported an inventory yet. */
  const [noInventory, setNoInventory] = useState(false);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  /** How far back Preview looks at observed flows (the API's `since`). */
  const [lookback, setLookback] = useState('24h');
  const syntaxProblems = yamlSyntaxProblems(text);
  const problems = syntaxProblems.length > 0 ? syntaxProblems : apiProblems;

  const post = (params: Record<string, string>) =>
    api<ApplyResult>(`/v1/apply${query({ cluster: props.clusterId, ...params })}`, {
      method: 'POST',
      text: { body: text, contentType: 'application/yaml' },
    });

  /** The dry run with its impact; until an agent has reported the cluster's pods (409 NO_INVENTORY) the diff alone. */
  const previewWithImpact = async () => {
    try {
      const result = await post({ dryRun: 'true', impact: 'true', since: lookback });
      setNoInventory(false);
      return result;
    } catch (failure) {
      if (!(failure instanceof ApiFailure && failure.problem?.code === 'NO_INVENTORY')) throw failure;
      setNoInventory(true);
      return post({ dryRun: 'true' });
    }
  };

  const send = async (dryRun: boolean) => {
    setBusy(dryRun ? 'preview' : 'apply');
    setError(undefined);
    try {
      if (dryRun) {
        const result = await previewWithImpact();
        setApiProblems([]);
        setPreview(result);
      } else {
        await post({ dryRun: 'false' });
        setApiProblems([]);
        props.onApplied();
      }
    } catch (failure) {
      setPreview(undefined);
      if (failure instanceof ApiFailure && failure.fieldErrors.length > 0) setApiProblems(locateProblems(text, failure.fieldErrors, true));
      else setApiProblems([]);
      setError(failure as Error);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div class="workbench">
      <YamlEditor
        initialValue={props.initialText}
        label="Policy YAML"
        readOnly={!props.canWrite}
        problems={problems}
        onChange={(next) => {
          setText(next);
          setPreview(undefined);
        }}
      />
      {problems.length > 0 && (
        <section class="notice error" aria-labelledby="problems-title" role="alert">
          <h2 id="problems-title">Problems</h2>
          <ul>
            {problems.map((problem) => (
              <li key={`${problem.line}:${problem.path}:${problem.message}`}>
                Line {problem.line}: {problem.path && <code>{problem.path}</code>} {problem.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {error && apiProblems.length === 0 && <ErrorNotice error={error} />}
      <div class="buttons">
        <button type="button" disabled={!props.canWrite || busy !== undefined || syntaxProblems.length > 0} onClick={() => send(true)}>
          {busy === 'preview' ? 'Previewing…' : 'Preview'}
        </button>
        <button type="button" class="primary" disabled={!props.canWrite || busy !== undefined || syntaxProblems.length > 0} onClick={() => send(false)}>
          {busy === 'apply' ? 'Applying…' : 'Apply'}
        </button>
        <label class="inline">
          Impact on flows of the last{' '}
          <select value={lookback} onChange={(event) => setLookback(event.currentTarget.value)} disabled={!props.canWrite}>
            <option value="1h">hour</option>
            <option value="6h">6 hours</option>
            <option value="24h">day</option>
            <option value="7d">7 days</option>
          </select>
        </label>
        {!props.canWrite && <span class="hint">Your role (viewer) can read policies but not change them.</span>}
      </div>
      {preview && (
        <section aria-labelledby="preview-title" class="preview">
          <h2 id="preview-title">Preview (nothing written yet)</h2>
          {preview.results.map((result) => (
            <div key={`${result.kind}/${result.namespace}/${result.name}`}>
              <h3>
                {result.kind} {result.namespace ? `${result.namespace}/` : ''}
                {result.name}: <span class={`badge action-${result.action}`}>{result.action}</span>
              </h3>
              <DiffView label={`Changes to ${result.name}`} before={manifestText(result.before)} after={manifestText(result.after)} />
            </div>
          ))}
          {preview.impact && <ImpactView impact={preview.impact} />}
          {noInventory && (
            <p class="state empty">Which observed flows would change verdict shows once an agent of this cluster has reported its pods; none has yet.</p>
          )}
        </section>
      )}
    </div>
  );
}
