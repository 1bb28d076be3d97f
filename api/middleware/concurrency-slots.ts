// Concurrency slots by key (a tenant), in this process's memory: the pure core of the per-tenant
// concurrency cap. A key runs at most `inFlight` requests at once; the next `queued` wait their turn
// in arrival order, and past that a request is refused at once. Rate limits bound how many requests a
// tenant sends a second; this bounds how much of the process (database pool connections, event-loop
// turns) its requests hold at one moment, so a burst from one tenant waits behind itself instead of
// in front of everyone else.

export interface SlotPolicy {
  /** Requests of one key running at once. */
  inFlight: number;
  /** Requests of one key waiting for a slot; past this they are refused. */
  queued: number;
}

/** Gives the slot back; call exactly once. */
export type ReleaseSlot = () => void;

export interface ConcurrencySlots {
  readonly policy: SlotPolicy;
  /** A slot for `key`, now or when one frees; undefined when the key's queue is full too. */
  acquire(key: string): Promise<ReleaseSlot> | undefined;
  /** Requests of `key` running and waiting, for tests and logs. */
  usage(key: string): { running: number; waiting: number };
}

interface KeySlots {
  running: number;
  waiting: Array<() => void>;
}

export function concurrencySlots(policy: SlotPolicy): ConcurrencySlots {
  const byKey = new Map<string, KeySlots>();

  function releaser(key: string, slots: KeySlots): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.waiting.shift();
      // The slot passes straight to the next waiter, so the running count never dips and lets a
      // newcomer jump the queue.
      if (next) return next();
      slots.running -= 1;
      if (slots.running === 0) byKey.delete(key);
    };
  }

  return {
    policy,
    acquire(key) {
      let slots = byKey.get(key);
      if (!slots) {
        slots = { running: 0, waiting: [] };
        byKey.set(key, slots);
      }
      const owned = slots;
      if (owned.running < policy.inFlight) {
        owned.running += 1;
        return Promise.resolve(releaser(key, owned));
      }
      if (owned.waiting.length >= policy.queued) return undefined;
      return new Promise<ReleaseSlot>((resolve) => owned.waiting.push(() => resolve(releaser(key, owned))));
    },
    usage(key) {
      const slots = byKey.get(key);
      return { running: slots?.running ?? 0, waiting: slots?.waiting.length ?? 0 };
    },
  };
}
