// The inventory from a JSON file (the lab writes one per node). The directory is watched rather than
// the file, because editors and ConfigMap mounts replace files by renaming, which a watch on the old
// inode would miss; a slow re-check backs the watch up. An unusable file keeps the previous inventory.
// The file is taken as written: nothing fills in endpoints' `serviceAccount`, the `nodes` list or the
// `services` list, so a lab that runs policies selecting by service account or naming nodes or
// Services must put them in the file.
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { inventorySchema } from '../../policy/inventory.ts';
import { debounce, type InventoryIssue, type InventorySource, InventoryStateHolder } from './source.ts';

export interface FileSourceOptions {
  path: string;
  logger: Logger;
  /** Coalesces a burst of writes (an editor saving in steps) into one reload. */
  debounceMs?: number;
  /** Re-check this often even without a watch event. */
  recheckMs?: number;
}

export async function openFileInventorySource(options: FileSourceOptions): Promise<InventorySource> {
  const { path, logger } = options;
  const holder = new InventoryStateHolder();
  let lastText: string | undefined;
  let closed = false;
  let loading: Promise<void> = Promise.resolve();

  async function load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      lastText = undefined;
      return report({ code: 'INVENTORY_UNAVAILABLE', message: `cannot read ${path}: ${(error as Error).message}` });
    }
    if (text === lastText) return;
    lastText = text;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return report({ code: 'INVENTORY_INVALID', message: `${path} is not JSON: ${(error as Error).message}` });
    }
    const parsed = inventorySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return report({ code: 'INVENTORY_INVALID', message: `${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` });
    }
    holder.accept(parsed.data);
  }

  function report(issue: InventoryIssue): void {
    logger.warn({ path, code: issue.code, reason: issue.message }, 'inventory file unusable; keeping the previous inventory');
    holder.fail(issue);
  }

  // Loads run one after another, so a slow read never overwrites a newer one.
  const reload = () => {
    if (closed) return;
    loading = loading.then(load);
  };
  const scheduled = debounce(reload, options.debounceMs ?? 100);

  await load();
  let watcher: FSWatcher | undefined;
  try {
    const name = basename(path);
    // Any entry of the directory may matter: a ConfigMap mount swaps a `..data` symlink, not the file.
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name || changed.startsWith('..')) scheduled();
    });
    watcher.on('error', (error) => logger.warn({ path, err: error }, 'inventory directory watch failed; relying on periodic re-checks'));
  } catch (error) {
    logger.warn({ path, err: error }, 'cannot watch the inventory directory; relying on periodic re-checks');
  }
  const recheck = setInterval(scheduled, options.recheckMs ?? 10_000);
  recheck.unref();

  return {
    current: () => holder.current(),
    onChange: (listener) => holder.onChange(listener),
    async close() {
      closed = true;
      scheduled.cancel();
      clearInterval(recheck);
      watcher?.close();
      await loading;
    },
  };
}
