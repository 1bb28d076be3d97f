// Where the agent learns which namespaces and pods exist: a watched file in the lab, the Kubernetes
// API in a cluster. Both keep the last good inventory when an update is unusable, and say why, so
// the daemon never compiles against a half-read or empty view of the cluster.
import type { Inventory } from '../../policy/inventory.ts';
import type { InventoryErrorCode } from '../errors.ts';

export interface InventoryIssue {
  /** INVENTORY_UNAVAILABLE: nothing could be read; INVENTORY_INVALID: what was read is not an inventory. */
  code: InventoryErrorCode;
  message: string;
}

export interface InventoryState {
  /** The last good inventory; undefined until the first one arrived. */
  inventory: Inventory | undefined;
  /** Why the latest update was not taken (the inventory above is then older); undefined when fine. */
  error: InventoryIssue | undefined;
}

export interface InventorySource {
  current(): InventoryState;
  /** Called when the inventory or the error changes; returns the unsubscribe function. */
  onChange(listener: (state: InventoryState) => void): () => void;
  close(): Promise<void>;
}

/** Holds a source's state and tells listeners about real changes only (equal content is no change). */
export class InventoryStateHolder {
  private state: InventoryState = { inventory: undefined, error: undefined };
  private fingerprint: string | undefined;
  private readonly listeners = new Set<(state: InventoryState) => void>();

  current(): InventoryState {
    return this.state;
  }

  onChange(listener: (state: InventoryState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  accept(inventory: Inventory): void {
    const fingerprint = JSON.stringify(inventory);
    if (fingerprint === this.fingerprint && this.state.error === undefined) return;
    this.fingerprint = fingerprint;
    this.publish({ inventory, error: undefined });
  }

  fail(error: InventoryIssue): void {
    const before = this.state.error;
    if (before && before.code === error.code && before.message === error.message) return;
    this.publish({ inventory: this.state.inventory, error });
  }

  private publish(state: InventoryState): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/** Runs `task` once, `ms` after the last of a burst of calls. */
export function debounce(task: () => void, ms: number): { (): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      task();
    }, ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}
