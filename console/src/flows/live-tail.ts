// The live tail's connection: an EventSource on the flow stream (the browser resumes it with
// Last-Event-ID after a drop), with arriving flows batched into one update per animation frame so a
// busy cluster does not re-render the table for every event.
import type { Flow } from '../client/types.ts';

/** `closed`: the server refused the stream (signed out, no such cluster); the browser stops retrying. */
export type TailState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveTail {
  close(): void;
}

export function openLiveTail(url: string, handlers: { onFlows: (flows: Flow[]) => void; onState: (state: TailState) => void }): LiveTail {
  const source = new EventSource(url, { withCredentials: true });
  let batch: Flow[] = [];
  let frame: number | undefined;
  const flush = () => {
    frame = undefined;
    const flows = batch;
    batch = [];
    handlers.onFlows(flows);
  };
  handlers.onState('connecting');
  source.addEventListener('open', () => handlers.onState('live'));
  source.addEventListener('error', () => handlers.onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('flow', (event) => {
    try {
      batch.push(JSON.parse((event as MessageEvent<string>).data) as Flow);
    } catch {
      return;
    }
    frame ??= requestAnimationFrame(flush);
  });
  return {
    close() {
      source.close();
      if (frame !== undefined) cancelAnimationFrame(frame);
    },
  };
}
