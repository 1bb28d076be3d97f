// Server-sent events read from a response body, as the HTML standard's event-stream format defines
// them: `field: value` lines, an event dispatched at each blank line, `:` lines are comments
// (heartbeats), and `data` lines of one event joined with newlines.

export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let buffer = '';
  let event = '';
  let id: string | undefined;
  let data: string[] = [];
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end = buffer.search(/\r\n|\r|\n/);
    while (end !== -1) {
      const line = buffer.slice(0, end);
      // A lone \r at the very end may be half of a \r\n split across chunks: wait for the next one.
      if (buffer[end] === '\r' && end === buffer.length - 1) break;
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', id, data: data.join('\n') };
        event = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
      end = buffer.search(/\r\n|\r|\n/);
    }
  }
}
