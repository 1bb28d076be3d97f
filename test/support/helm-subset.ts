// Renders a Helm chart template the way `helm template` does, for the part of Helm's template
// language our chart uses (no helm binary here): `{{ .Release.Name }}`, `{{ .Release.Namespace }}`,
// `{{ .Values.a.b }}`, `required "message" X`, `toYaml X`, and the pipes `quote`, `toJson`,
// `nindent N`; `{{-` trims the whitespace before it. Anything else throws, so a template that grows
// past this subset fails the test instead of rendering wrongly.
import { stringify } from 'yaml';

export interface HelmRelease {
  name: string;
  namespace: string;
  values: Record<string, unknown>;
}

function lookup(path: string, release: HelmRelease): unknown {
  if (path === '.Release.Name') return release.name;
  if (path === '.Release.Namespace') return release.namespace;
  if (!path.startsWith('.Values.')) throw new Error(`helm-subset: unsupported reference ${path}`);
  let value: unknown = release.values;
  for (const key of path.slice('.Values.'.length).split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** Go's %v for the values a chart prints: strings as they are, nil as an empty string. */
const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function evaluate(expression: string, release: HelmRelease): string {
  const [head, ...pipes] = expression.split('|').map((part) => part.trim());
  let value: unknown;
  const requiredCall = /^required "([^"]*)" (\S+)$/.exec(head!);
  const toYamlCall = /^toYaml (\S+)$/.exec(head!);
  if (requiredCall) {
    value = lookup(requiredCall[2]!, release);
    // Helm's required: fails on nil and on the empty string.
    if (value === undefined || value === null || value === '') throw new Error(`execution error: ${requiredCall[1]}`);
  } else if (toYamlCall) value = stringify(lookup(toYamlCall[1]!, release)).trimEnd();
  else value = lookup(head!, release);
  for (const pipe of pipes) {
    const nindent = /^nindent (\d+)$/.exec(pipe);
    if (pipe === 'quote') value = JSON.stringify(text(value));
    else if (pipe === 'toJson') value = JSON.stringify(value);
    else if (nindent) {
      const pad = ' '.repeat(Number(nindent[1]));
      value = `\n${text(value)
        .split('\n')
        .map((line) => pad + line)
        .join('\n')}`;
    } else throw new Error(`helm-subset: unsupported function ${pipe}`);
  }
  return text(value);
}

export function renderHelmTemplate(template: string, release: HelmRelease): string {
  return template.replace(/([ \t\n]*)\{\{(-?) (.*?) \}\}/g, (_match, before: string, trim: string, expression: string) => {
    return (trim ? '' : before) + evaluate(expression, release);
  });
}
