// Compression of the bundle on the wire (issue 15: a 10,000-rule bundle sent whole to every node on
// every revision). The content coding is HTTP's, negotiated by Accept-Encoding, so the agent's fetch
// decodes it before anything reads the body: the signed JWS the agent verifies is byte for byte the
// one the builder signed. Shared by the API (which encodes) and the bench (which reports the sizes).
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type BundleEncoding = 'br' | 'gzip';

/** What the agent asks for: brotli first (smaller), gzip for anything in between that only knows it. */
export const BUNDLE_ACCEPT_ENCODING = 'br, gzip';

/**
 * Brotli's quality 11 (its default) takes seconds on a 1.6 MB bundle; 5 keeps most of the gain at a
 * small fraction of the CPU, which matters because a revision is encoded while long-polls wait on it.
 */
const BROTLI_QUALITY = 5;
/** Below this a compressed body saves less than its framing and the CPU it costs. */
export const MIN_COMPRESSED_BYTES = 512;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The coding to answer with for an Accept-Encoding header, or undefined for the body as is: the
 * highest q-value among those we offer (brotli on a tie), `*` standing for any not named; q=0 refuses.
 */
export function negotiateBundleEncoding(acceptEncoding: string | null | undefined): BundleEncoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const entry of acceptEncoding.split(',')) {
    const [name, ...params] = entry.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: BundleEncoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).reduce<BundleEncoding | undefined>(
    (chosen, coding) => (weightOf(coding) > (chosen === undefined ? 0 : weightOf(chosen)) ? coding : chosen),
    undefined,
  );
  return best;
}

/** The JWS in the coding, as a plain byte array (a copy out of zlib's pooled buffer, which a response body can take). */
export async function encodeBundle(jws: string, encoding: BundleEncoding): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = Buffer.from(jws, 'utf8');
  const encoded = encoding === 'gzip' ? await gzipAsync(bytes) : await brotliBundle(bytes);
  return new Uint8Array(encoded);
}

function brotliBundle(bytes: Buffer): Promise<Buffer> {
  return brotli(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
    },
  });
}

/** A body's coding on the wire: compressed, or the JWS as it is. */
export type WireCoding = BundleEncoding | 'identity';

/**
 * Bodies kept as they are (not compressed): each is the whole JWS (up to the agents' 8 MiB ceiling),
 * and a revision is asked for by its cluster's agents together, so a few recent ones are enough.
 */
const IDENTITY_CAPACITY = 4;

/**
 * Bodies by bundle digest, in bytes: a revision wakes every parked agent of a cluster at once, and
 * each of them would otherwise compress the same bytes again, or encode the same megabytes of JWS
 * text to UTF-8 again on the way out (issue 10: what a wake of 10,000 agents costs per answer).
 * Concurrent askers share one encoding (the map holds the promise); the oldest entries go first past
 * `capacity` (IDENTITY_CAPACITY for bodies kept as they are).
 */
export function createEncodedBundleCache(capacity = 64) {
  const caches = { compressed: new Map<string, Promise<Uint8Array<ArrayBuffer>>>(), identity: new Map<string, Promise<Uint8Array<ArrayBuffer>>>() };
  return {
    get(digest: string, text: string, coding: WireCoding): Promise<Uint8Array<ArrayBuffer>> {
      const [entries, limit] = coding === 'identity' ? [caches.identity, IDENTITY_CAPACITY] : [caches.compressed, capacity];
      const key = `${coding}:${digest}`;
      const cached = entries.get(key);
      if (cached) return cached;
      const encoded = coding === 'identity' ? Promise.resolve(new Uint8Array(Buffer.from(text, 'utf8'))) : encodeBundle(text, coding);
      entries.set(key, encoded);
      // A failed compression is not kept: the next asker tries again.
      encoded.catch(() => entries.delete(key));
      if (entries.size > limit) entries.delete(entries.keys().next().value as string);
      return encoded;
    },
  };
}
