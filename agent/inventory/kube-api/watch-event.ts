// The watch wire format: one JSON event per line, `{"type": ..., "object": ...}`, where an ERROR
// event's object is a Status (its `code` 410 means the resourceVersion is too old: list again).
// Pure: bytes in, events out; the stream and its reconnects are list-watch.ts's job.

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T; resourceVersion: string | undefined }
  | { type: 'BOOKMARK'; resourceVersion: string | undefined }
  | { type: 'ERROR'; code: number | undefined; message: string }
  | { type: 'INVALID'; message: string };

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

export function parseWatchEvent<T>(line: string): WatchEvent<T> {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return { type: 'INVALID', message: `not JSON: ${line.slice(0, 80)}` };
  }
  const { type, object } = (event ?? {}) as { type?: unknown; object?: unknown };
  if (typeof object !== 'object' || object === null) return { type: 'INVALID', message: `an event without an object: ${line.slice(0, 80)}` };
  const resourceVersion = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  const rv = typeof resourceVersion === 'string' ? resourceVersion : undefined;
  if (typeof type === 'string' && OBJECT_EVENTS.has(type)) return { type: type as 'ADDED', object: object as T, resourceVersion: rv };
  if (type === 'BOOKMARK') return { type, resourceVersion: rv };
  if (type === 'ERROR') {
    const status = object as { code?: unknown; message?: unknown };
    return {
      type,
      code: typeof status.code === 'number' ? status.code : undefined,
      message: typeof status.message === 'string' ? status.message : 'watch error',
    };
  }
  return { type: 'INVALID', message: `unknown event type ${String(type)}` };
}

/** Splits a byte stream into lines; a line may arrive across several chunks. */
export class LineSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    const text = this.pending + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '');
  }
}
