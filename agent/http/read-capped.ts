// Read a response body without trusting its size: stop and cancel the stream as soon as it passes
// the limit, so a hostile or broken server cannot make the agent buffer unbounded data ("endless
// data" in TUF's terms). Content-Length is checked first, but it is only a claim, so the count of
// bytes actually received decides.

export type CappedRead = { ok: true; bytes: Uint8Array } | { ok: false; code: 'TOO_LARGE'; message: string; received: number };

export async function readCapped(response: Response, maxBytes: number): Promise<CappedRead> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return tooLarge(`response declares ${declared} bytes, the limit is ${maxBytes}`, 0);
  }
  if (!response.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(`response passed the limit of ${maxBytes} bytes; stopped reading`, received);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

function tooLarge(message: string, received: number): CappedRead {
  return { ok: false, code: 'TOO_LARGE', message, received };
}
