// A bundle as a delta against the one the agent holds (issue 15: one edit in a 10,000-rule policy
// should not resend 1.6 MB to every node). The delta carries the new JWS's protected header and
// signature untouched and its payload (canonical JSON) as copies of the base payload plus literals;
// the agent rebuilds the payload, checks it against the content hash it states, and verifies the
// signature over the rebuilt JWS like any other, so a delta is exactly as trustworthy as the full
// bundle. Nothing is signed twice: the signature is the builder's. Any doubt falls back to full.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { contentHashOf } from './sign.ts';

/** Media type of a delta; served with status 226 (IM Used) and `IM: palisade-delta` (RFC 3229). */
export const BUNDLE_DELTA_CONTENT_TYPE = 'application/vnd.palisade.bundle-delta+json';
/** The instance manipulation the agent asks for in A-IM. */
export const BUNDLE_DELTA_IM = 'palisade-delta';

/** A copy of `length` characters of the base payload at `offset`, or a literal. */
const opSchema = z.union([z.tuple([z.number().int().min(0), z.number().int().min(1)]), z.string().min(1)]);

export const bundleDeltaSchema = z.strictObject({
  baseRevision: z.number().int().min(1),
  revision: z.number().int().min(1),
  protectedHeader: z.string().min(1),
  signature: z.string().min(1),
  ops: z.array(opSchema),
});
export type BundleDelta = z.infer<typeof bundleDeltaSchema>;

const payloadText = (jws: string) => Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8');

/**
 * Pieces of canonical JSON ending after each `},`: one rule, peer or port object each in a policy,
 * so an edit touches few of them and the rest are found again in the base.
 */
function piecesOf(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let at = text.indexOf('},'); at !== -1; at = text.indexOf('},', at + 2)) {
    pieces.push(text.slice(start, at + 2));
    start = at + 2;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

export function diffBundles(base: { revision: number; jws: string }, target: { revision: number; jws: string }): BundleDelta {
  const old = payloadText(base.jws);
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const piece of piecesOf(old)) {
    if (!offsets.has(piece)) offsets.set(piece, offset);
    offset += piece.length;
  }
  const ops: BundleDelta['ops'] = [];
  for (const piece of piecesOf(payloadText(target.jws))) {
    const last = ops.at(-1);
    // Continuing the previous copy first: repeated pieces would otherwise jump to their first place.
    if (Array.isArray(last) && old.startsWith(piece, last[0] + last[1])) {
      last[1] += piece.length;
      continue;
    }
    const at = offsets.get(piece);
    if (at !== undefined) ops.push([at, piece.length]);
    else if (typeof last === 'string') ops[ops.length - 1] = last + piece;
    else ops.push(piece);
  }
  const [protectedHeader = '', , signature = ''] = target.jws.split('.');
  return { baseRevision: base.revision, revision: target.revision, protectedHeader, signature, ops };
}

export type RebuiltBundle = { ok: true; jws: string } | { ok: false; message: string };

/**
 * The full JWS from a delta and the base it names, or why not: a wrong base, a copy outside it, a
 * payload past `maxBytes`, or one whose policy does not hash to the content hash it states. The
 * signature is not checked here: the rebuilt JWS goes through acceptance like a full one.
 */
export function rebuildBundle(base: { revision: number; jws: string }, delta: BundleDelta, maxBytes: number): RebuiltBundle {
  if (delta.baseRevision !== base.revision) return { ok: false, message: `delta is against revision ${delta.baseRevision}, not ${base.revision}` };
  const old = payloadText(base.jws);
  let text = '';
  for (const op of delta.ops) {
    if (typeof op === 'string') text += op;
    else if (op[0] + op[1] > old.length) return { ok: false, message: 'delta copies past the end of the base payload' };
    else text += old.slice(op[0], op[0] + op[1]);
    if (text.length > maxBytes) return { ok: false, message: `rebuilt payload passes the limit of ${maxBytes} bytes` };
  }
  let payload: { contentHash?: unknown; policy?: unknown };
  try {
    payload = JSON.parse(text);
  } catch {
    return { ok: false, message: 'rebuilt payload is not JSON' };
  }
  // Canonical JSON re-encodes to itself: anything else could not carry the builder's signature.
  if (canonicalJson(payload) !== text) return { ok: false, message: 'rebuilt payload is not canonical JSON' };
  if (payload.contentHash !== contentHashOf(payload.policy as never)) return { ok: false, message: 'rebuilt policy does not match its content hash' };
  return { ok: true, jws: `${delta.protectedHeader}.${Buffer.from(text, 'utf8').toString('base64url')}.${delta.signature}` };
}
