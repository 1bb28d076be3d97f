// Caps the long-lived streams (server-sent events) a tenant holds open at once in this process. A
// streaming response leaves the middleware chain as soon as its headers are ready, so the slot is
// taken here and given back when the stream itself ends, not when the handler returns.

export interface StreamSlots {
  /** A release function, or undefined when the tenant already holds `perTenant` streams. */
  take(tenantId: string): (() => void) | undefined;
}

export function streamSlots(perTenant: number): StreamSlots {
  const held = new Map<string, number>();
  return {
    take(tenantId) {
      const count = held.get(tenantId) ?? 0;
      if (count >= perTenant) return undefined;
      held.set(tenantId, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(tenantId) ?? 1) - 1;
        if (left === 0) held.delete(tenantId);
        else held.set(tenantId, left);
      };
    },
  };
}
