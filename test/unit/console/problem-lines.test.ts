// Problem paths from the API located in the YAML the member typed: the line of the field, its parent's
// line for a field left out, the right document of several, and YAML syntax errors at their line.
import { describe, expect, it } from 'vitest';
import { locateProblems, yamlSyntaxProblems } from '../../../console/src/policies/problem-lines.ts';

const TEXT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector: {}
  ingress:
    - ports:
        - port: 99999
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: second
spec:
  bogus: true
`;

describe('locating problems in YAML', () => {
  it('finds the line of a nested field, through list items, in the document the index names', () => {
    const [port, bogus] = locateProblems(
      TEXT,
      [
        { path: '0.spec.ingress.0.ports.0.port', message: 'must be at most 65535' },
        { path: '1.spec.bogus', message: 'unknown field' },
      ],
      true,
    );
    expect(port).toMatchObject({ line: 10, message: 'must be at most 65535' });
    expect(TEXT.slice(port!.from, port!.to)).toBe('port');
    expect(bogus!.line).toBe(17);
  });

  it('puts a missing field at its parent', () => {
    const [missing] = locateProblems(TEXT, [{ path: '1.metadata.namespace', message: 'required' }], true);
    expect(missing!.line).toBe(14);
  });

  it('reads paths without a document index as paths into the first document', () => {
    const [problem] = locateProblems(TEXT, [{ path: 'metadata.name', message: 'bad' }], false);
    expect(problem!.line).toBe(4);
  });

  it('reports YAML syntax errors at their line', () => {
    const problems = yamlSyntaxProblems('kind: NetworkPolicy\nspec:\n  podSelector: {\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(yamlSyntaxProblems(TEXT)).toEqual([]);
  });
});
