// libbpf 1.1 option structs, declared with our own layout helper (x86_64: size_t and pointers are
// u64). Offsets were checked with a C compiler against the struct definitions of libbpf 1.1's
// bpf.h / libbpf.h. Every struct starts with `sz`: libbpf reads only the fields a caller of that
// size knows, and rejects non-zero bytes past the fields *it* knows, so a struct from a newer
// header never silently loses a setting.

import { defineLayout, type FieldSpec, type Layout, type LayoutValues } from '../maps/layout.ts';
import { addressOf } from './libbpf.ts';

export const ProgLoadOpts = defineLayout('bpf_prog_load_opts', {
  size: 104,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'attempts', type: 'u32' },
    { name: 'expected_attach_type', type: 'u32' },
    { name: 'prog_btf_fd', type: 'u32' },
    { name: 'prog_flags', type: 'u32' },
    { name: 'prog_ifindex', type: 'u32' },
    { name: 'kern_version', type: 'u32' },
    { name: 'attach_btf_id', type: 'u32' },
    { name: 'attach_prog_fd', type: 'u32' },
    { name: 'attach_btf_obj_fd', type: 'u32' },
    { name: 'fd_array', type: 'u64', offset: 48 },
    { name: 'func_info', type: 'u64' },
    { name: 'func_info_cnt', type: 'u32' },
    { name: 'func_info_rec_size', type: 'u32' },
    { name: 'line_info', type: 'u64' },
    { name: 'line_info_cnt', type: 'u32' },
    { name: 'line_info_rec_size', type: 'u32' },
    { name: 'log_level', type: 'u32' },
    { name: 'log_size', type: 'u32' },
    { name: 'log_buf', type: 'u64' },
  ],
});

export const MapCreateOpts = defineLayout('bpf_map_create_opts', {
  size: 48,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'btf_fd', type: 'u32' },
    { name: 'btf_key_type_id', type: 'u32' },
    { name: 'btf_value_type_id', type: 'u32' },
    { name: 'btf_vmlinux_value_type_id', type: 'u32' },
    { name: 'inner_map_fd', type: 'u32' },
    { name: 'map_flags', type: 'u32' },
    { name: 'map_extra', type: 'u64' },
    { name: 'numa_node', type: 'u32' },
    { name: 'map_ifindex', type: 'u32' },
  ],
});

export const MapBatchOpts = defineLayout('bpf_map_batch_opts', {
  size: 24,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'elem_flags', type: 'u64' },
    { name: 'flags', type: 'u64' },
  ],
});

export const TestRunOpts = defineLayout('bpf_test_run_opts', {
  size: 80,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'data_in', type: 'u64' },
    { name: 'data_out', type: 'u64' },
    { name: 'data_size_in', type: 'u32' },
    { name: 'data_size_out', type: 'u32' },
    { name: 'ctx_in', type: 'u64' },
    { name: 'ctx_out', type: 'u64' },
    { name: 'ctx_size_in', type: 'u32' },
    { name: 'ctx_size_out', type: 'u32' },
    { name: 'retval', type: 'u32' },
    { name: 'repeat', type: 'u32' },
    { name: 'duration', type: 'u32' },
    { name: 'flags', type: 'u32' },
    { name: 'cpu', type: 'u32' },
    { name: 'batch_size', type: 'u32' },
  ],
});

export const TcHook = defineLayout('bpf_tc_hook', {
  size: 24,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'ifindex', type: 'u32' },
    { name: 'attach_point', type: 'u32' },
    { name: 'parent', type: 'u32' },
  ],
});

export const TcOpts = defineLayout('bpf_tc_opts', {
  size: 32,
  fields: [
    { name: 'sz', type: 'u64' },
    { name: 'prog_fd', type: 'u32' },
    { name: 'flags', type: 'u32' },
    { name: 'prog_id', type: 'u32' },
    { name: 'handle', type: 'u32' },
    { name: 'priority', type: 'u32' },
  ],
});

/** The head of struct bpf_map_info (the kernel fills only as many bytes as we pass). */
export const MapInfo = defineLayout('bpf_map_info_head', {
  size: 40,
  fields: [
    { name: 'type', type: 'u32' },
    { name: 'id', type: 'u32' },
    { name: 'key_size', type: 'u32' },
    { name: 'value_size', type: 'u32' },
    { name: 'max_entries', type: 'u32' },
    { name: 'map_flags', type: 'u32' },
    { name: 'name', type: 'bytes[16]' },
  ],
});

/** The head of struct bpf_prog_info. */
export const ProgInfo = defineLayout('bpf_prog_info_head', {
  size: 16,
  fields: [
    { name: 'type', type: 'u32' },
    { name: 'id', type: 'u32' },
    { name: 'tag', type: 'bytes[8]' },
  ],
});

/** The head of struct bpf_link_info, with the tcx member of its union. */
export const LinkInfo = defineLayout('bpf_link_info_head', {
  size: 24,
  fields: [
    { name: 'type', type: 'u32' },
    { name: 'id', type: 'u32' },
    { name: 'prog_id', type: 'u32' },
    { name: 'tcx_ifindex', type: 'u32', offset: 16 },
    { name: 'tcx_attach_type', type: 'u32' },
  ],
});

type Scalar<F extends readonly FieldSpec[]> = Partial<LayoutValues<F>>;

/**
 * Encode an option struct: `sz` is the struct size, unnamed fields stay zero. Written directly
 * (not through Layout.encode) because it runs on every kernel call and most fields are zero.
 */
export function buildOpts<F extends readonly FieldSpec[]>(layout: Layout<F>, values: Scalar<F>): Buffer {
  const buf = Buffer.alloc(layout.size);
  buf.writeBigUInt64LE(BigInt(layout.size), 0); // every libbpf opts struct starts with size_t sz
  const record = values as Record<string, number | bigint | undefined>;
  for (const f of layout.fields) {
    const value = record[f.name];
    if (value === undefined || value === 0 || value === 0n) continue;
    if (f.type === 'u64') buf.writeBigUInt64LE(BigInt(value), f.offset);
    else if (f.type === 'u32') buf.writeUInt32LE(Number(value), f.offset);
    else throw new Error(`buildOpts: unexpected field type ${f.type} in ${layout.name}`);
  }
  return buf;
}

/** Pointer field value for a Buffer (0 for none). */
export const ptr = (buf: Buffer | null | undefined): bigint => addressOf(buf);
