// Where the agent's trust root (the JWKS that bundles must verify with) comes from. Normally a file
// installed with the agent; it is read again when it changes, so rotating keys is a ConfigMap
// update, not a restart. Trust on first use is the operator's explicit choice: the first answer of
// /v1/trust-root is pinned in the state dir and never fetched again (a pinned root does not learn
// new keys by itself; rotation then needs the file or a fresh pin).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TrustRoot } from '../../policy/bundle/signing-keys.ts';
import type { StartupErrorCode } from '../errors.ts';
import { describeFetchError } from '../http/describe-error.ts';
import { readCapped } from '../http/read-capped.ts';
import { writeFileAtomic } from '../state/atomic-write.ts';

export const PINNED_TRUST_ROOT_FILE = 'trust-root.json';
const MAX_TRUST_ROOT_BYTES = 256 * 1024;

const jwksSchema = z.object({
  keys: z
    .array(
      z.object({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string().min(1),
        kid: z.string().min(1),
        alg: z.literal('EdDSA').optional(),
        use: z.literal('sig').optional(),
      }),
    )
    .min(1, 'holds no keys'),
});

export type TrustRootError = { ok: false; code: Extract<StartupErrorCode, 'TRUST_ROOT_INVALID' | 'TRUST_ROOT_UNAVAILABLE'>; message: string };
export type TrustRootResult = { ok: true; trustRoot: TrustRoot } | TrustRootError;

export function parseTrustRoot(text: string, origin: string): TrustRootResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'TRUST_ROOT_INVALID', message: `${origin} is not JSON` };
  }
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'TRUST_ROOT_INVALID', message: `${origin}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
  }
  return {
    ok: true,
    trustRoot: { keys: parsed.data.keys.map(({ kty, crv, x, kid }) => ({ kty, crv, x, kid, alg: 'EdDSA', use: 'sig' })) },
  };
}

export interface TrustRootSource {
  /** The trust root to verify with now; never fails once the source opened (a bad reload keeps the last good root). */
  current(): Promise<TrustRoot>;
}

/** A trust root file, re-read when its modification time or size changes. */
export async function openTrustRootFile(path: string, logger: Logger): Promise<{ ok: true; source: TrustRootSource } | TrustRootError> {
  const first = await readTrustRootFile(path);
  if (!first.ok) return first;
  let trustRoot = first.trustRoot;
  let stamp = await fileStamp(path);
  return {
    ok: true,
    source: {
      async current() {
        const now = await fileStamp(path);
        if (now === stamp) return trustRoot;
        stamp = now;
        const reloaded = await readTrustRootFile(path);
        if (reloaded.ok) {
          trustRoot = reloaded.trustRoot;
          logger.info({ path, keyIds: trustRoot.keys.map((key) => key.kid) }, 'trust root reloaded');
        } else {
          logger.error({ path, code: reloaded.code, reason: reloaded.message }, 'trust root file changed but is unusable; keeping the previous one');
        }
        return trustRoot;
      },
    },
  };
}

/** Trust on first use: the pinned copy if there is one, else fetch once and pin it. */
export async function openPinnedTrustRoot(options: {
  stateDir: string;
  controlPlaneUrl: string;
  logger: Logger;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}): Promise<{ ok: true; source: TrustRootSource } | TrustRootError> {
  const pinnedPath = join(options.stateDir, PINNED_TRUST_ROOT_FILE);
  const pinned = await readTrustRootFile(pinnedPath);
  if (pinned.ok) return { ok: true, source: constant(pinned.trustRoot) };
  if (pinned.code === 'TRUST_ROOT_INVALID') return pinned; // a damaged pin is not silently replaced by whatever answers now

  const url = `${options.controlPlaneUrl}/v1/trust-root`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { signal: options.signal ?? AbortSignal.timeout(30_000) });
  } catch (error) {
    return { ok: false, code: 'TRUST_ROOT_UNAVAILABLE', message: `cannot fetch ${url}: ${describeFetchError(error)}` };
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, code: 'TRUST_ROOT_UNAVAILABLE', message: `${url} answered ${response.status}` };
  }
  const body = await readCapped(response, MAX_TRUST_ROOT_BYTES);
  if (!body.ok) return { ok: false, code: 'TRUST_ROOT_INVALID', message: `${url}: ${body.message}` };
  const text = new TextDecoder().decode(body.bytes);
  const fetched = parseTrustRoot(text, url);
  if (!fetched.ok) return fetched;
  try {
    await writeFileAtomic(pinnedPath, `${JSON.stringify(fetched.trustRoot, null, 2)}\n`, 0o644);
  } catch (error) {
    // Unpinned, the next start would trust whoever answers then: refuse rather than trust twice.
    return { ok: false, code: 'TRUST_ROOT_UNAVAILABLE', message: `cannot pin the trust root at ${pinnedPath}: ${(error as Error).message}` };
  }
  options.logger.warn(
    { url, pinnedAt: pinnedPath, keyIds: fetched.trustRoot.keys.map((key) => key.kid) },
    'trust on first use: pinned the trust root the control plane served; it is not fetched again',
  );
  return { ok: true, source: constant(fetched.trustRoot) };
}

function constant(trustRoot: TrustRoot): TrustRootSource {
  return { current: async () => trustRoot };
}

async function readTrustRootFile(path: string): Promise<TrustRootResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, code: 'TRUST_ROOT_UNAVAILABLE', message: `cannot read trust root ${path}: ${(error as Error).message}` };
  }
  return parseTrustRoot(text, path);
}

async function fileStamp(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return 'missing';
  }
}
