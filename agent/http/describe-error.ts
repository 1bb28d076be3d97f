// fetch() reports every network failure as "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND,
// a TLS error, ...) is in its cause, sometimes inside an AggregateError (one per address tried).
// Operators need the reason in logs and status reports.

export function describeFetchError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    const node = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] };
    const inner = Array.isArray(node.errors) && node.errors.length > 0 ? node.errors[0] : undefined;
    const code = typeof node.code === 'string' ? node.code : undefined;
    const message = typeof node.message === 'string' ? node.message : undefined;
    if (code && !parts.some((part) => part.includes(code))) parts.push(!message ? code : message.includes(code) ? message : `${code}: ${message}`);
    else if (message && depth > 0 && !parts.includes(message)) parts.push(message);
    current = node.cause ?? inner;
  }
  const top = (error as { message?: string }).message ?? String(error);
  return parts.length > 0 ? `${top} (${parts.join('; ')})` : top;
}
