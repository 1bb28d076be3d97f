// A local HTTP endpoint for the node's own explanations: `GET /explain?from=ns/pod&to=ns/pod&port=80
// &protocol=TCP` answers like the control plane's GET /v1/clusters/{id}/explain, from what this agent
// enforces now. Meant for a loopback address (kubectl port-forward / exec into the agent pod); it
// carries no credentials, so it must not listen on a routable address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ExplainQuery, ExplainResult } from './explain.ts';

export const LOCAL_EXPLAIN_PATH = '/explain';

const endpointRef = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be namespace/pod');
const querySchema = z.strictObject({
  from: endpointRef,
  to: endpointRef,
  port: z.coerce.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  family: z
    .enum(['4', '6'])
    .default('4')
    .transform((f) => (f === '6' ? 6 : 4) as 4 | 6),
});

export interface LocalExplainServer {
  url: string;
  close(): Promise<void>;
}

function problem(status: number, code: string, detail: string, errors?: { path: string; message: string }[]) {
  return {
    status,
    body: { type: `https://palisade.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: code, status, code, detail, ...(errors && { errors }) },
  };
}

/** Answers one request; separate from the server so it can be tested without sockets. */
export function handleExplainRequest(url: URL, explain: (query: ExplainQuery) => ExplainResult): { status: number; body: unknown } {
  if (url.pathname !== LOCAL_EXPLAIN_PATH) return problem(404, 'NOT_FOUND', `no route for ${url.pathname}`);
  const parsed = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: ['query', ...i.path].join('.'), message: i.message }));
    return problem(422, 'VALIDATION_FAILED', `${errors[0]!.path}: ${errors[0]!.message}`, errors);
  }
  const result = explain(parsed.data);
  if (result.ok) return { status: 200, body: result.explanation };
  const errors = result.field ? [{ path: `query.${result.field}`, message: result.message }] : undefined;
  if (result.code === 'UNKNOWN_POD') return problem(404, 'NOT_FOUND', result.message, errors);
  if (result.code === 'NO_ADDRESS') return problem(422, 'VALIDATION_FAILED', result.message, errors);
  return problem(409, 'NO_INVENTORY', `${result.message}: it reads pods from its inventory source first; see the agent's status report`);
}

export async function startLocalExplainServer(options: {
  host?: string;
  port: number;
  explain: (query: ExplainQuery) => ExplainResult;
}): Promise<LocalExplainServer> {
  const server: Server = createServer((request, response) => {
    let answer: { status: number; body: unknown };
    try {
      answer =
        request.method === 'GET'
          ? handleExplainRequest(new URL(request.url ?? '/', 'http://local'), options.explain)
          : problem(405, 'METHOD_NOT_ALLOWED', 'only GET');
    } catch (error) {
      answer = problem(500, 'INTERNAL', (error as Error).message);
    }
    response.writeHead(answer.status, { 'content-type': answer.status === 200 ? 'application/json' : 'application/problem+json' });
    response.end(JSON.stringify(answer.body));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
