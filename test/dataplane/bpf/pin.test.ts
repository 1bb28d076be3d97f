// Pinning in bpffs: objects outlive their fds and their process, and can be opened again.
import { execFileSync } from 'node:child_process';
import { rmSync, statfsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { exit, mov64, R0 } from '../../../bpf/asm/index.ts';
import { MapType, TcAct } from '../../../bpf/kernel/constants.ts';
import { createMap, openPinnedMap } from '../../../bpf/kernel/map.ts';
import { BPFFS_ROOT, ensureBpffs, unpin } from '../../../bpf/kernel/pin.ts';
import { loadProgram, openPinnedProgram } from '../../../bpf/kernel/program.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, kernelAvailable, uniqueSuffix } from './harness.ts';

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('pinning', () => {
  const dir = `${BPFFS_ROOT}/palisade-test-${uniqueSuffix()}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mounts bpffs when needed', () => {
    ensureBpffs();
    expect(Number(statfsSync(BPFFS_ROOT).type)).toBe(0xcafe4a11);
  });

  it('re-opens a pinned map after its fd is closed', () => {
    ensureBpffs();
    const map = createMap({ type: MapType.HASH, name: 'test_pin', keySize: 4, valueSize: 4, maxEntries: 8 });
    map.update(Buffer.from([1, 0, 0, 0]), Buffer.from([9, 0, 0, 0]));
    map.pin(`${dir}/maps/test_pin`); // parent directories are created inside bpffs
    map.close();
    const again = openPinnedMap(`${dir}/maps/test_pin`);
    expect({ type: again.type, keySize: again.keySize, valueSize: again.valueSize, maxEntries: again.maxEntries }).toEqual({
      type: MapType.HASH,
      keySize: 4,
      valueSize: 4,
      maxEntries: 8,
    });
    expect(again.name).toBe('test_pin');
    expect(again.lookup(Buffer.from([1, 0, 0, 0]))?.[0]).toBe(9);
    again.close();
    expect(unpin(`${dir}/maps/test_pin`)).toBe(true);
    expect(unpin(`${dir}/maps/test_pin`)).toBe(false);
    expect(() => openPinnedMap(`${dir}/maps/test_pin`)).toThrow(expect.objectContaining({ code: 'PIN_FAILED', errno: 2 }));
  });

  it('re-opens a pinned program and runs it', () => {
    ensureBpffs();
    const program = loadProgram({ name: 'test_pin_prog', instructions: [mov64.imm(R0, TcAct.SHOT), exit()] });
    const id = program.id();
    program.pin(`${dir}/prog`);
    program.close();
    const again = openPinnedProgram(`${dir}/prog`);
    expect(again.id()).toBe(id);
    expect(testRun(again, { data: ethIpv4() }).retval).toBe(TcAct.SHOT);
    again.close();
  });

  it('keeps a pinned map after the process that made it exits', () => {
    ensureBpffs();
    const path = `${dir}/from_child`;
    const child = fileURLToPath(new URL('./fixtures/pin-child.ts', import.meta.url));
    execFileSync(process.execPath, ['--import', 'tsx', child, path], { stdio: 'pipe', timeout: 30_000 });
    const map = openPinnedMap(path);
    expect(map.lookup(Buffer.from([1, 0, 0, 0]))?.[0]).toBe(42);
    map.close();
  });

  it('refuses to pin outside bpffs', () => {
    const map = createMap({ type: MapType.ARRAY, name: 'test_nopin', keySize: 4, valueSize: 4, maxEntries: 1 });
    try {
      expect(() => map.pin('/tmp/palisade-not-bpffs/x')).toThrow(expect.objectContaining({ code: 'PIN_FAILED' }));
    } finally {
      map.close();
    }
  });
});
