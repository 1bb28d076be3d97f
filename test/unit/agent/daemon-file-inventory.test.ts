// The file inventory source (the lab's): a watched JSON file, reloaded on change (also when replaced
// by rename), debounced; an unusable file keeps the previous inventory and says why. And the daemon
// re-applies the current bundle when the file changes.
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileInventorySource } from '../../../agent/inventory/file-source.ts';
import type { InventorySource, InventoryState } from '../../../agent/inventory/source.ts';
import { makeDaemon, makeKeys, newIdentity, payload, RecordingDataplane, signed, silentLogger, smallInventory, tempDir } from './daemon-fixtures.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let path: string;
let source: InventorySource | undefined;

beforeEach(async () => {
  dir = await tempDir();
  path = join(dir.path, 'inventory.json');
});
afterEach(async () => {
  await source?.close();
  source = undefined;
  await dir.remove();
});

async function open() {
  source = await openFileInventorySource({ path, logger: silentLogger(), debounceMs: 20, recheckMs: 60_000 });
  return source;
}

function names(state: InventoryState) {
  return state.inventory?.endpoints.map((endpoint) => endpoint.name);
}

describe('the file inventory source', () => {
  it('reads the file at open, with the namespace name label the API server would set', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    const state = (await open()).current();
    expect(state.error).toBeUndefined();
    expect(state.inventory?.namespaces).toEqual([{ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } }]);
    expect(names(state)).toEqual(['web']);
  });

  it('reloads when the file is rewritten, and when it is replaced by a rename', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    const inventory = await open();
    const seen: (string[] | undefined)[] = [];
    inventory.onChange((state) => seen.push(names(state)));

    await writeFile(path, JSON.stringify(smallInventory('api')));
    await expect.poll(() => names(inventory.current())).toEqual(['web', 'api']);

    const temp = join(dir.path, '.inventory.json.tmp');
    await writeFile(temp, JSON.stringify(smallInventory('db')));
    await rename(temp, path);
    await expect.poll(() => names(inventory.current())).toEqual(['web', 'db']);
    expect(seen).toEqual([
      ['web', 'api'],
      ['web', 'db'],
    ]);
  });

  it('coalesces a burst of writes into one reload', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    source = await openFileInventorySource({ path, logger: silentLogger(), debounceMs: 150, recheckMs: 60_000 });
    let changes = 0;
    source.onChange(() => (changes += 1));
    for (const pod of ['a', 'b', 'c', 'd']) await writeFile(path, JSON.stringify(smallInventory(pod)));
    await expect.poll(() => names(source!.current())).toEqual(['web', 'd']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toBe(1);
  });

  it('keeps the previous inventory when the file becomes invalid, reports why, and recovers', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    const inventory = await open();

    await writeFile(path, '{"namespaces": [');
    await expect.poll(() => inventory.current().error?.code).toBe('INVENTORY_INVALID');
    expect(names(inventory.current())).toEqual(['web']);

    const broken = smallInventory();
    broken.endpoints[0]!.namespace = 'nowhere';
    await writeFile(path, JSON.stringify(broken));
    await expect.poll(() => inventory.current().error?.message).toContain('unknown namespace nowhere');
    expect(names(inventory.current())).toEqual(['web']);

    await writeFile(path, JSON.stringify(smallInventory('api')));
    await expect.poll(() => names(inventory.current())).toEqual(['web', 'api']);
    expect(inventory.current().error).toBeUndefined();
  });

  it('starts without an inventory when the file is missing, and picks it up once written', async () => {
    const inventory = await open();
    expect(inventory.current()).toMatchObject({ inventory: undefined, error: { code: 'INVENTORY_UNAVAILABLE' } });
    await writeFile(path, JSON.stringify(smallInventory()));
    await expect.poll(() => names(inventory.current())).toEqual(['web']);
  });

  it('keeps the inventory when the file is deleted', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    const inventory = await open();
    await rm(path);
    await expect.poll(() => inventory.current().error?.code).toBe('INVENTORY_UNAVAILABLE');
    expect(names(inventory.current())).toEqual(['web']);
  });
});

describe('the daemon with a file inventory', () => {
  it('re-applies the current bundle when the file changes', async () => {
    await writeFile(path, JSON.stringify(smallInventory()));
    const keys = await makeKeys();
    const identity = newIdentity();
    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity, keys, dataplane, inventory: await open(), stateDir: dir.path });
    source = undefined; // the daemon owns and closes it
    await daemon.restore();
    await daemon.offerBundle(await signed(keys, payload(identity, 2)));
    await writeFile(path, JSON.stringify(smallInventory('api')));
    await expect.poll(() => dataplane.applies.length).toBe(2);
    expect(dataplane.revisions).toEqual([2, 2]);
    expect(dataplane.applies[1]!.inventory.endpoints.map((endpoint) => endpoint.name)).toEqual(['web', 'api']);
    await daemon.stop();
  });
});
