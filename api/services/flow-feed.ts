// Wakes live flow streams when their cluster's agents ship flows. Two paths reach it: the ship-flows
// route announces in-process at once, and the NOTIFY sent in the storing transaction (FLOW_CHANNEL)
// reaches every API process sharing the database. Wake-ups carry no rows: each stream reads what
// came after its own cursor, so a doubled or lost wake-up costs a read or a heartbeat's delay, never
// a flow.
import { type Database, FLOW_CHANNEL } from '../../db/index.ts';

export interface FlowListener {
  /** New flows may exist for the cluster. */
  wake(): void;
  /** The feed is closing (shutdown): the stream should end. */
  end(): void;
}

export interface FlowFeed {
  /** Listens for the cluster's new flows until the returned function is called. */
  subscribe(clusterId: string, listener: FlowListener): () => void;
  /** This process stored flows for the cluster. */
  announce(clusterId: string): void;
  /** Streams open now, over all clusters. */
  readonly listening: number;
  /** Ends every stream and stops listening; idempotent. */
  close(): Promise<void>;
}

export async function listenForFlows(database: Database): Promise<FlowFeed> {
  const byCluster = new Map<string, Set<FlowListener>>();
  let closed = false;
  const wakeCluster = (clusterId: string) => {
    for (const listener of byCluster.get(clusterId) ?? []) listener.wake();
  };
  const unlisten = await database.listen(FLOW_CHANNEL, wakeCluster);
  let closing: Promise<void> | undefined;
  return {
    subscribe(clusterId, listener) {
      if (closed) {
        listener.end();
        return () => {};
      }
      const listeners = byCluster.get(clusterId) ?? new Set();
      listeners.add(listener);
      byCluster.set(clusterId, listeners);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && byCluster.get(clusterId) === listeners) byCluster.delete(clusterId);
      };
    },
    announce: wakeCluster,
    get listening() {
      let count = 0;
      for (const listeners of byCluster.values()) count += listeners.size;
      return count;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const listeners of [...byCluster.values()]) for (const listener of [...listeners]) listener.end();
        byCluster.clear();
        await unlisten();
      })();
      return closing;
    },
  };
}
