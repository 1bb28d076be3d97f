// The XDP program's map keys and values, defined once for the code generator and user space.
import { defineLayout } from '../../../bpf/maps/layout.ts';

/** Source address tries, one per family: the longest prefix holding a source address. */
export const XdpLpmKey4 = defineLayout('xdp_lpm_key4', {
  size: 8,
  fields: [
    { name: 'prefixlen', type: 'u32' },
    { name: 'addr', type: 'bytes[4]' },
  ],
});

export const XdpLpmKey6 = defineLayout('xdp_lpm_key6', {
  size: 20,
  fields: [
    { name: 'prefixlen', type: 'u32' },
    { name: 'addr', type: 'bytes[16]' },
  ],
});

/** A trie entry's value: one bit per term whose source set holds the prefix (tables.ts). */
export const XdpTermMask = defineLayout('xdp_term_mask', { size: 8, fields: [{ name: 'mask', type: 'u64' }] });

/** Per rule and CPU: packets dropped and their bytes. */
export const XdpRuleCounter = defineLayout('xdp_rule_counter', {
  size: 16,
  fields: [
    { name: 'packets', type: 'u64' },
    { name: 'bytes', type: 'u64' },
  ],
});
