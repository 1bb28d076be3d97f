// What is wrong right now, by concern (fetching, the last refused bundle, the last apply, the
// inventory, local state). A status report lists the current conditions, not a history: a refused
// bundle stays reported until a bundle is accepted, an apply error until an apply succeeds.
import type { AgentStatusError } from './reporter.ts';

export type Concern = 'fetch' | 'bundle' | 'apply' | 'inventory' | 'state' | 'dataplane';

const ORDER: Concern[] = ['bundle', 'apply', 'inventory', 'fetch', 'state', 'dataplane'];

export class Conditions {
  private readonly current = new Map<Concern, AgentStatusError[]>();

  set(concern: Concern, errors: AgentStatusError | AgentStatusError[] | undefined): void {
    const list = errors === undefined ? [] : Array.isArray(errors) ? errors : [errors];
    if (list.length === 0) this.current.delete(concern);
    else this.current.set(concern, list);
  }

  get(concern: Concern): AgentStatusError[] {
    return this.current.get(concern) ?? [];
  }

  clear(concern: Concern): void {
    this.current.delete(concern);
  }

  list(): AgentStatusError[] {
    return ORDER.flatMap((concern) => this.current.get(concern) ?? []);
  }
}
