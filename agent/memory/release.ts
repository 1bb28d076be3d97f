// Gives the memory of an apply back to the node once the agent is idle again (issue 13 item 5).
//
// An apply is a burst of allocation (the parsed bundle, resolved terms, instructions, map contents)
// and then the agent idles for hours. V8 collects that garbage only when more allocation asks for it
// or when its memory reducer runs, about 8 s after the last full collection; glibc keeps the apply's
// freed malloc memory in its arenas. Measured with a 10,000-rule bundle over 1,000 endpoints: VmRSS
// stays at 172-183 MiB until the reducer brings it to ~106 MiB 7.5 s after the apply; 26 MiB of the
// 45 MiB heap is live. So half a second after the last apply of a burst this collects the heap (`gc`,
// there when node runs with --expose-gc, as the shipped command does) and hands glibc's free pages
// back (malloc_trim, ~10 MiB more): 120-126 MiB 2 s after the apply, for ~50 ms of one core.
// Either is skipped where unavailable (tsx in development, musl).
import type { Logger } from 'pino';

/** Long enough to coalesce a burst of applies (pods starting together), short against the reducer's 8 s. */
const RELEASE_DELAY_MS = 500;

export interface MemoryReleaser {
  /** A pipeline run starts: nothing is released while it runs (a collection would slow it). */
  busy(): void;
  /** A pipeline run ended, `applied` when it changed what is enforced: release after the delay unless another starts. */
  idle(applied: boolean): void;
  stop(): void;
}

export interface MemoryReleaserOptions {
  logger: Logger;
  delayMs?: number;
  /** A full collection; `globalThis.gc` (node --expose-gc) unless given. */
  collect?: (() => void) | undefined;
  /** Hands the allocator's free pages back to the OS; glibc's malloc_trim unless given. */
  trim?: () => Promise<void>;
}

/** glibc's malloc_trim(0) through koffi (already a dependency for libbpf), loaded on first use; a no-op elsewhere. */
function glibcTrim(): () => Promise<void> {
  let call: Promise<(() => void) | undefined> | undefined;
  return async () => {
    call ??= import('koffi').then(
      ({ default: koffi }) => {
        try {
          const mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
          return () => void mallocTrim(0);
        } catch {
          return undefined; // not glibc
        }
      },
      () => undefined,
    );
    (await call)?.();
  };
}

export function createMemoryReleaser(options: MemoryReleaserOptions): MemoryReleaser {
  const collect = 'collect' in options ? options.collect : (globalThis as { gc?: () => void }).gc;
  const trim = options.trim ?? glibcTrim();
  const delayMs = options.delayMs ?? RELEASE_DELAY_MS;
  let timer: NodeJS.Timeout | undefined;
  let owed = false;
  const release = async () => {
    timer = undefined;
    owed = false;
    const started = performance.now();
    const before = process.memoryUsage.rss();
    try {
      collect?.();
      await trim();
    } catch (error) {
      options.logger.warn({ err: error }, 'memory release failed');
      return;
    }
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    options.logger.info({ ms: Math.round(performance.now() - started), rssMiB: mib(before), afterMiB: mib(process.memoryUsage.rss()) }, 'memory released');
  };
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    busy: cancel,
    idle(applied) {
      owed ||= applied;
      if (!owed) return;
      cancel();
      timer = setTimeout(() => void release(), delayMs);
      timer.unref();
    },
    stop() {
      cancel();
      owed = false;
    },
  };
}
