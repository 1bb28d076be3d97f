// A YAML body to the JSON values it holds, refusing with a 4xx (never a throw from the library) what
// cannot become JSON or would cost more than the body is worth: syntax errors and unresolvable
// aliases answer 400 with the line and column, an expansion over the body's allowance 413 naming the
// limit (./yaml-expansion.ts). Empty documents (`---` at the end, or between comments) are skipped,
// as kubectl skips them. A stream of JSON documents takes a shorter way to the same values (./json-documents.ts).
import { LineCounter, parseAllDocuments } from 'yaml';
import { ApiError } from '../errors/api-error.ts';
import { jsonDocuments } from './json-documents.ts';
import { expandedNodeAllowance, measureExpansion } from './yaml-expansion.ts';

export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml'];

export function readYamlValues(text: string): unknown[] {
  const json = jsonDocuments(text);
  if (json !== undefined) return json;
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  // The library answers an empty stream with an empty list-like value that is not an array.
  if (!Array.isArray(documents)) return [];
  const where = (index: number, offset: number | undefined) => {
    const inDocument = documents.length > 1 ? ` in document ${index + 1}` : '';
    if (offset === undefined) return inDocument;
    const { line, col } = lineCounter.linePos(offset);
    return `${inDocument} at line ${line}, column ${col}`;
  };

  const allowance = expandedNodeAllowance(text.length);
  let expandedNodes = 0;
  const values: unknown[] = [];
  for (const [index, document] of documents.entries()) {
    const [error] = document.errors;
    if (error) throw new ApiError('BAD_REQUEST', `malformed YAML${where(index, error.pos[0])}: ${error.code}`);
    const expansion = measureExpansion(document);
    if (!expansion.ok) {
      const { refusal } = expansion;
      throw new ApiError('BAD_REQUEST', `malformed YAML${where(index, refusal.offset)}: ${refusal.message}`);
    }
    expandedNodes += expansion.nodes;
    if (expandedNodes > allowance) {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `YAML expands to more than ${allowance} nodes${where(index, undefined)}: a body of ${text.length} characters may build ${allowance} (aliases count what they repeat)`,
        { limit: 'yamlExpandedNodes', requested: expandedNodes },
      );
    }
    // Measured above: aliases are resolved, bounded and acyclic, so the library's own count is not needed.
    const value = document.toJS({ maxAliasCount: -1 });
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}
