// A cache of one resource kept current by list-then-watch, the informer pattern: list (every page),
// then watch from the list's resourceVersion with bookmarks, so a resumed watch starts from the
// latest version seen even when nothing of ours changed. What ends a watch, and what follows:
// - the server ends it (its timeoutSeconds, or a restart): watch again at once from the last version
//   (after a backoff if the stream carried nothing, not even a bookmark);
// - the connection breaks: watch again from the last version after a backoff;
// - 410 Gone (the version was compacted away; an ERROR event or the HTTP status): list again, and
//   the objects that vanished meanwhile are reported deleted;
// - a failed list or a refused watch: the 'error' listeners are told and the cache stops there;
//   start() again (the caller's retry) begins with a list.
// start() resolves once the watch is connected or the error reported.
import { Backoff, type BackoffPolicy } from '../../bundle/backoff.ts';
import { type KubeApi, KubeApiError, type KubeList, type WatchStream } from './request.ts';
import { LineSplitter, parseWatchEvent } from './watch-event.ts';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

type ObjectListener<T> = (object: T) => void;
type ErrorListener = (error: unknown) => void;

export interface ListWatchOptions {
  /** Backoff between re-watches of a broken stream. */
  retry?: BackoffPolicy;
  /** Asked of the server per watch; client-go draws 5-10 minutes so a fleet does not renew in step. */
  watchTimeoutSeconds?: () => number;
}

const GONE = 410;
/** How a watch stream ended: by the server ('ended' also while it runs), 410, an ERROR event, or a bad line. */
type Outcome = 'ended' | 'gone' | 'failed' | 'garbled';

export class ListWatch<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = {
    add: [] as ObjectListener<T>[],
    update: [] as ObjectListener<T>[],
    delete: [] as ObjectListener<T>[],
    error: [] as ErrorListener[],
  };
  private readonly backoff: Backoff;
  private readonly timeoutSeconds: () => number;
  private resourceVersion: string | undefined;
  private stream: WatchStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by start() and stop(), so a stream or timer of an earlier run does nothing when it ends. */
  private run = 0;

  constructor(
    private readonly path: string,
    private readonly api: KubeApi,
    private readonly lister: () => Promise<KubeList<T>>,
    options: ListWatchOptions = {},
  ) {
    this.backoff = new Backoff(options.retry ?? { initialMs: 1_000, maxMs: 30_000 });
    this.timeoutSeconds = options.watchTimeoutSeconds ?? (() => Math.round(300 * (1 + Math.random())));
  }

  on(event: 'add' | 'update' | 'delete', listener: ObjectListener<T>): void;
  on(event: 'error', listener: ErrorListener): void;
  on(event: 'add' | 'update' | 'delete' | 'error', listener: ObjectListener<T> & ErrorListener): void {
    this.listeners[event].push(listener);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  async start(): Promise<void> {
    const run = this.halt();
    let listed: KubeList<T>;
    try {
      listed = await this.lister();
    } catch (error) {
      if (run === this.run) this.fail(error);
      return;
    }
    if (run !== this.run) return;
    this.replace(listed.items);
    this.resourceVersion = listed.metadata.resourceVersion;
    await this.watch(run);
  }

  async stop(): Promise<void> {
    this.halt();
  }

  /** Ends the current stream and pending re-watch; returns the new run's number. */
  private halt(): number {
    this.run += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stream?.close();
    this.stream = undefined;
    return this.run;
  }

  private async watch(run: number): Promise<void> {
    const timeoutSeconds = this.timeoutSeconds();
    const splitter = new LineSplitter();
    let outcome: Outcome = 'ended';
    let events = 0;
    let stream: WatchStream;
    try {
      stream = await this.api.watch(
        this.path,
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (chunk) => {
          if (run !== this.run || outcome !== 'ended') return false;
          for (const line of splitter.push(chunk)) {
            outcome = this.apply(line);
            events += 1;
            if (outcome !== 'ended') return false;
          }
          return true;
        },
        // the server ends the watch by timeoutSeconds; silence well past that is a dead connection
        (timeoutSeconds + 60) * 1000,
      );
    } catch (error) {
      if (run !== this.run) return;
      if (error instanceof KubeApiError && error.statusCode === GONE) return this.start();
      return this.fail(error);
    }
    if (run !== this.run) return void stream.close();
    this.stream = stream;
    void stream.done.then((broken) => {
      if (run !== this.run) return;
      this.stream = undefined;
      if (outcome === 'gone') return void this.start();
      if (outcome === 'failed') return;
      // A stream that ended with nothing on it is renewed after a backoff too: a server (or a proxy)
      // that ends every watch at once would otherwise be asked again in a tight loop.
      if (!broken && outcome === 'ended' && events > 0) {
        this.backoff.reset();
        return void this.watch(run);
      }
      this.timer = setTimeout(() => void this.watch(run), this.backoff.next());
    });
  }

  /** One event line into the cache; what it means for the stream. */
  private apply(line: string): Outcome {
    const event = parseWatchEvent<T>(line);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const key = keyOf(event.object);
        const known = this.objects.has(key);
        if (event.type === 'DELETED') this.objects.delete(key);
        else this.objects.set(key, event.object);
        if (event.resourceVersion) this.resourceVersion = event.resourceVersion;
        this.emit(event.type === 'DELETED' ? 'delete' : known ? 'update' : 'add', event.object);
        this.backoff.reset();
        return 'ended';
      }
      case 'BOOKMARK':
        if (event.resourceVersion) this.resourceVersion = event.resourceVersion;
        this.backoff.reset();
        return 'ended';
      case 'ERROR':
        if (event.code === GONE) return 'gone';
        this.fail(new KubeApiError(event.code ?? 0, event.message));
        return 'failed';
      case 'INVALID':
        // a garbled stream cannot be trusted past this line: resume from the last good version
        return 'garbled';
    }
  }

  /** The listed objects become the cache; those it no longer has are reported deleted. */
  private replace(items: T[]): void {
    const before = new Map(this.objects);
    this.objects.clear();
    for (const item of items) {
      const key = keyOf(item);
      this.objects.set(key, item);
      const old = before.get(key);
      before.delete(key);
      if (!old) this.emit('add', item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.emit('update', item);
    }
    for (const gone of before.values()) this.emit('delete', gone);
  }

  private emit(event: 'add' | 'update' | 'delete', object: T): void {
    for (const listener of this.listeners[event]) listener(object);
  }

  private fail(error: unknown): void {
    for (const listener of this.listeners.error) listener(error);
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
