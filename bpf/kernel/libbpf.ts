// Raw bindings to libbpf.so.1 (Debian 12 ships 1.1.2) and a few libc calls, through koffi.
// Only declarations live here; the files beside this one wrap them into typed, checked calls.
//
// Conventions of libbpf 1.x that the wrappers rely on:
// - integer-returning calls return a negative errno on failure (1.0 made "direct errors" the only
//   mode); they also set errno, but the return value is the one to trust;
// - pointer-returning calls return NULL (mmap: MAP_FAILED) and set errno (read via koffi.errno());
// - option structs start with `size_t sz`, which tells libbpf which fields the caller knows: we
//   build them as Buffers with the layout of libbpf 1.1's bpf.h/libbpf.h (see opts.ts).
//
// Pointers are declared `void *` and given Buffers (koffi passes a Buffer's memory directly,
// without copying), or `null`. Loading is lazy: importing bpf/ on a machine without libbpf (the
// API server, unit tests) costs nothing until a kernel call is made.

import koffi, { type LibraryHandle } from 'koffi';
import { BpfError } from '../errors.ts';

function declare() {
  let lib: LibraryHandle;
  let libc: LibraryHandle;
  try {
    lib = koffi.load('libbpf.so.1');
    libc = koffi.load('libc.so.6');
  } catch (cause) {
    throw new BpfError('UNSUPPORTED', 'libbpf.so.1 (libbpf 1.x) could not be loaded', { cause });
  }
  return {
    bpf_prog_load: lib.func('int bpf_prog_load(int prog_type, const char *prog_name, const char *license, const void *insns, size_t insn_cnt, void *opts)'),
    bpf_map_create: lib.func(
      'int bpf_map_create(int map_type, const char *map_name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, void *opts)',
    ),
    bpf_map_lookup_elem: lib.func('int bpf_map_lookup_elem(int fd, void *key, void *value)'),
    bpf_map_lookup_elem_flags: lib.func('int bpf_map_lookup_elem_flags(int fd, void *key, void *value, uint64_t flags)'),
    bpf_map_update_elem: lib.func('int bpf_map_update_elem(int fd, void *key, void *value, uint64_t flags)'),
    bpf_map_delete_elem: lib.func('int bpf_map_delete_elem(int fd, void *key)'),
    bpf_map_get_next_key: lib.func('int bpf_map_get_next_key(int fd, void *key, void *next_key)'),
    bpf_map_lookup_batch: lib.func('int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, void *count, void *opts)'),
    bpf_map_lookup_and_delete_batch: lib.func(
      'int bpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, void *count, void *opts)',
    ),
    bpf_map_update_batch: lib.func('int bpf_map_update_batch(int fd, void *keys, void *values, void *count, void *opts)'),
    bpf_map_delete_batch: lib.func('int bpf_map_delete_batch(int fd, void *keys, void *count, void *opts)'),
    bpf_map_freeze: lib.func('int bpf_map_freeze(int fd)'),
    bpf_obj_pin: lib.func('int bpf_obj_pin(int fd, const char *pathname)'),
    bpf_obj_get: lib.func('int bpf_obj_get(const char *pathname)'),
    bpf_obj_get_info_by_fd: lib.func('int bpf_obj_get_info_by_fd(int fd, void *info, void *info_len)'),
    bpf_link_create: lib.func('int bpf_link_create(int prog_fd, int target_fd, int attach_type, void *opts)'),
    bpf_link_update: lib.func('int bpf_link_update(int link_fd, int new_prog_fd, void *opts)'),
    bpf_link_detach: lib.func('int bpf_link_detach(int link_fd)'),
    bpf_prog_query: lib.func('int bpf_prog_query(int target_fd, int type, uint32_t query_flags, void *attach_flags, void *prog_ids, void *prog_cnt)'),
    bpf_prog_test_run_opts: lib.func('int bpf_prog_test_run_opts(int prog_fd, void *opts)'),
    bpf_xdp_attach: lib.func('int bpf_xdp_attach(int ifindex, int prog_fd, uint32_t flags, void *opts)'),
    bpf_xdp_detach: lib.func('int bpf_xdp_detach(int ifindex, uint32_t flags, void *opts)'),
    bpf_xdp_query_id: lib.func('int bpf_xdp_query_id(int ifindex, int flags, void *prog_id)'),
    bpf_tc_hook_create: lib.func('int bpf_tc_hook_create(void *hook)'),
    bpf_tc_hook_destroy: lib.func('int bpf_tc_hook_destroy(void *hook)'),
    bpf_tc_attach: lib.func('int bpf_tc_attach(void *hook, void *opts)'),
    bpf_tc_detach: lib.func('int bpf_tc_detach(void *hook, void *opts)'),
    bpf_tc_query: lib.func('int bpf_tc_query(void *hook, void *opts)'),
    close: libc.func('int close(int fd)'),
    mmap: libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)'),
    munmap: libc.func('int munmap(void *addr, size_t length)'),
    sysconf: libc.func('long sysconf(int name)'),
    setns: libc.func('int setns(int fd, int nstype)'),
    if_nametoindex: libc.func('unsigned int if_nametoindex(const char *ifname)'),
  };
}

export type Libbpf = ReturnType<typeof declare>;

let bound: Libbpf | undefined;

/** The bindings, loaded on first use. */
export function libbpf(): Libbpf {
  bound ??= declare();
  return bound;
}

/** errno of the last failed libc call / pointer-returning libbpf call. */
export function lastErrno(): number {
  return koffi.errno();
}

/** Address of a Buffer's memory, to store in an option struct's pointer field. */
export function addressOf(buf: Buffer | null | undefined): bigint {
  return buf ? koffi.address(buf) : 0n;
}

export { koffi };
