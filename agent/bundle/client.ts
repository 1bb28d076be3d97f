// The agent side of `GET /v1/agent/bundle` (OPA's bundle service protocol): one long-poll request
// names the revision the agent has in If-None-Match and asks the control plane to wait up to
// `wait` seconds for a newer one; the answer is 304 or a compact JWS. Nothing here trusts the body:
// it is only read (within the size cap) and handed on to the acceptance check.
import { BUNDLE_DELTA_IM, bundleDeltaSchema, rebuildBundle } from '../../policy/bundle/delta.ts';
import { BUNDLE_CONTENT_TYPE, BUNDLE_PATH, revisionEtag, revisionOfEtag } from '../../policy/bundle/http.ts';
import { BUNDLE_ACCEPT_ENCODING } from '../../policy/bundle/wire-encoding.ts';
import type { TokenProvider } from '../credentials.ts';
import type { BUNDLE_FETCH_ERROR_CODES } from '../errors.ts';
import { describeFetchError } from '../http/describe-error.ts';
import { readCapped } from '../http/read-capped.ts';
import { Backoff, type BackoffPolicy, sleep } from './backoff.ts';

export type FetchErrorCode = keyof typeof BUNDLE_FETCH_ERROR_CODES | 'TOO_LARGE';

export type FetchResult =
  | { kind: 'bundle'; jws: string; bytes: number; claimedRevision: number | undefined }
  | { kind: 'not-modified' }
  | { kind: 'aborted' }
  | { kind: 'failed'; code: FetchErrorCode; message: string; status?: number; claimedRevision?: number };

export interface BundleRequest {
  controlPlaneUrl: string;
  token: TokenProvider;
  /** The revision the agent holds; 0 asks for whatever is latest. */
  knownRevision: number;
  /**
   * The JWS of `knownRevision`, when the agent holds it: the control plane may then answer with a
   * delta against it, rebuilt here into the full JWS (anything amiss: the full bundle is fetched).
   */
  base?: { revision: number; jws: string };
  waitSeconds: number;
  maxBytes: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /**
   * Beyond the long-poll wait, how long the request may take before it is abandoned: a connection
   * that died silently (a NAT dropped it) would otherwise hold the agent forever.
   */
  graceMs?: number;
}

export async function fetchBundle(request: BundleRequest): Promise<FetchResult> {
  let authorization: string;
  try {
    authorization = `Bearer ${await request.token()}`;
  } catch (error) {
    return { kind: 'failed', code: 'TOKEN_UNAVAILABLE', message: `cannot read the agent token: ${(error as Error).message}` };
  }
  const url = new URL(`${request.controlPlaneUrl}${BUNDLE_PATH}`);
  url.searchParams.set('wait', String(request.waitSeconds));
  const timeout = AbortSignal.timeout(request.waitSeconds * 1000 + (request.graceMs ?? 30_000));
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  // Compressed on the wire, decoded by fetch before the capped read: the size limit and the signature
  // check both see the JWS itself, so a compression bomb stops at maxBytes like any other large body.
  const headers: Record<string, string> = { authorization, accept: BUNDLE_CONTENT_TYPE, 'accept-encoding': BUNDLE_ACCEPT_ENCODING };
  if (request.knownRevision > 0) headers['if-none-match'] = revisionEtag(request.knownRevision);
  const base = request.base?.revision === request.knownRevision && request.knownRevision > 0 ? request.base : undefined;
  if (base) headers['a-im'] = BUNDLE_DELTA_IM;

  try {
    const response = await (request.fetch ?? fetch)(url, { headers, signal });
    // The revision the server claims: unauthenticated, useful only for logs and reports.
    const claimedRevision = revisionOfEtag(response.headers.get('etag'));
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'not-modified' };
    }
    if (response.status === 226 && base) {
      const body = await readCapped(response, request.maxBytes);
      const rebuilt = body.ok ? rebuiltFrom(body.bytes, base, claimedRevision, request.maxBytes) : undefined;
      if (rebuilt) return { kind: 'bundle', jws: rebuilt, bytes: Buffer.byteLength(rebuilt), claimedRevision };
      // Any doubt about the delta: the full bundle, now (it exists, so there is nothing to wait for).
      return fetchBundle({ ...request, base: undefined, waitSeconds: 0 });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const code = response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'HTTP_STATUS';
      return { kind: 'failed', code, status: response.status, message: `${BUNDLE_PATH} answered ${response.status}` };
    }
    const body = await readCapped(response, request.maxBytes);
    if (!body.ok) return { kind: 'failed', code: 'TOO_LARGE', message: body.message, claimedRevision };
    // The JWS is ASCII; a non-ASCII byte becomes U+FFFD and fails verification, as it should.
    return { kind: 'bundle', jws: new TextDecoder().decode(body.bytes), bytes: body.bytes.byteLength, claimedRevision };
  } catch (error) {
    if (request.signal?.aborted) return { kind: 'aborted' };
    if (timeout.aborted) return { kind: 'failed', code: 'TIMEOUT', message: `${BUNDLE_PATH} did not answer in time` };
    return { kind: 'failed', code: 'NETWORK', message: describeFetchError(error) };
  }
}

/** The full JWS a delta answer rebuilds to, or undefined when it does not parse, name our base, or rebuild. */
function rebuiltFrom(bytes: Uint8Array, base: { revision: number; jws: string }, claimedRevision: number | undefined, maxBytes: number): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const delta = bundleDeltaSchema.safeParse(parsed);
  if (!delta.success || (claimedRevision !== undefined && delta.data.revision !== claimedRevision)) return undefined;
  const rebuilt = rebuildBundle(base, delta.data, maxBytes);
  return rebuilt.ok ? rebuilt.jws : undefined;
}

/** What became of a bundle the poller handed on; 'rejected' slows the next poll down. */
export type BundleDisposition = 'accepted' | 'held' | 'rejected';

export interface PollHandlers {
  /** The revision to send in If-None-Match: what is applied (or verified and waiting to be). */
  knownRevision(): number;
  /** That revision's JWS, so the control plane may send a delta against it. */
  base?(): { revision: number; jws: string } | undefined;
  onBundle(bundle: { jws: string; bytes: number; claimedRevision: number | undefined }): Promise<BundleDisposition>;
  /** A request failed (network, status, size). Reported, then retried after a backoff. */
  onFailure(failure: { code: FetchErrorCode; message: string; status?: number; claimedRevision?: number }): void;
  /** A request completed (200 or 304): the control plane is reachable. */
  onReachable?(): void;
}

export interface PollOptions extends Omit<BundleRequest, 'knownRevision' | 'signal'> {
  errorBackoff?: BackoffPolicy;
  /**
   * After a refused bundle the control plane would serve the same one again at once; wait instead,
   * longer each time, until a bundle is accepted (a new revision, or a fixed trust root or clock).
   */
  rejectBackoff?: BackoffPolicy;
  /** A 304 sooner than this after the request began means the server is not waiting: pace the loop. */
  minPollIntervalMs?: number;
  random?: () => number;
}

export const DEFAULT_ERROR_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };
export const DEFAULT_REJECT_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 300_000 };

/** Long-polls until `signal` aborts. Never throws: every failure is reported and retried. */
export async function pollBundles(options: PollOptions, handlers: PollHandlers, signal: AbortSignal): Promise<void> {
  const errors = new Backoff(options.errorBackoff ?? DEFAULT_ERROR_BACKOFF, options.random);
  const rejections = new Backoff(options.rejectBackoff ?? DEFAULT_REJECT_BACKOFF, options.random);
  const minInterval = options.minPollIntervalMs ?? 1_000;

  while (!signal.aborted) {
    const started = Date.now();
    const base = handlers.base?.();
    const result = await fetchBundle({ ...options, knownRevision: handlers.knownRevision(), ...(base && { base }), signal });
    if (result.kind === 'aborted') return;
    if (result.kind === 'failed') {
      handlers.onFailure(result);
      // An oversized body is a refused bundle, not an outage: pace it like one.
      await sleep(result.code === 'TOO_LARGE' ? rejections.next() : errors.next(), signal);
      continue;
    }
    errors.reset();
    handlers.onReachable?.();
    if (result.kind === 'not-modified') {
      await sleep(minInterval - (Date.now() - started), signal);
      continue;
    }
    const disposition = await handlers.onBundle(result);
    if (disposition === 'rejected') await sleep(rejections.next(), signal);
    else rejections.reset();
  }
}
