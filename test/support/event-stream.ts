// Reads a server-sent-events response the way EventSource would: events with their id, type and
// data, comment lines (heartbeats) skipped; `next` waits for the next event, `close` hangs up.
export interface ServerEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface EventStream {
  response: Response;
  next(): Promise<ServerEvent | undefined>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queued: ServerEvent[] = [];
  let finished = false;

  function parse() {
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: ServerEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
      }
      if (data.length > 0) queued.push({ ...event, data: data.join('\n') });
      end = buffer.indexOf('\n\n');
    }
  }

  return {
    response,
    async next() {
      while (queued.length === 0 && !finished && reader) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) finished = true;
        else {
          buffer += decoder.decode(chunk.value, { stream: true });
          parse();
        }
      }
      return queued.shift();
    },
    close() {
      controller.abort();
    },
  };
}
