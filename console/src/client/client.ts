// The console's one way to the API: same-origin fetch with the session cookie, the CSRF header on
// unsafe methods, and every failure turned into a value (an ApiFailure) the pages can show. A 401 on
// anything but the session itself tells the app the session expired, so it can ask for a sign-in and
// come back.
import type { Problem } from './types.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
  }
  /** Field paths and reasons, from a problem+json's errors. */
  get fieldErrors(): { path: string; message: string }[] {
    return this.problem?.errors ?? [];
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

export function onSessionExpired(listener: () => void) {
  onUnauthorized = listener;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A raw text body (YAML) with its content type, instead of JSON. */
  text?: { body: string; contentType: string };
  /** The representation to ask for (default JSON). */
  accept?: string;
  /** Don't raise the session-expired signal on 401 (sign-in and the session probe). */
  quietUnauthorized?: boolean;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: string | undefined;
  if (options.text) {
    headers['content-type'] = options.text.contentType;
    body = options.text.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiFailure(0, undefined, 'The control plane cannot be reached. Check that it is running, then try again.');
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await response.json().catch(() => undefined) : await response.text();
  if (response.ok) return payload as T;
  const problem = type.includes('problem+json') || type.includes('json') ? (payload as Problem) : undefined;
  if (response.status === 401 && !options.quietUnauthorized) onUnauthorized?.();
  throw new ApiFailure(response.status, problem, problem?.detail ?? `${method} ${path} answered ${response.status}`);
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
