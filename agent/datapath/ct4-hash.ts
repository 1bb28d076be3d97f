// The IPv4 conntrack table's set hash, defined once for user space (placing carried-over entries,
// finding one) and for the code generator (codegen/conntrack4.ts emits the same steps in 32-bit BPF
// ALU). Seeded per table (layouts.ts Ct4Header): with a hash known in advance, whoever sends packets
// could aim flows at one set and push a victim's entry out of it; the kernel's own hash tables seed
// jhash with a random hashrnd for the same reason. Like jhash it is not a keyed PRF, only cheap
// (four xor-multiply-fold rounds, ~25 ALU instructions per packet) and unknown without the seed.

/** murmur3's fmix32 multipliers. */
export const CT4_HASH_C1 = 0x85eb_ca6b;
export const CT4_HASH_C2 = 0xc2b2_ae35;

/**
 * The rounds: which key word is xored in, the multiplier, the fold's shift. One word a round, each
 * mixed before the next comes in: xoring two words into one round would let (ifindex a, ports p)
 * and (ifindex b, ports p ^ a ^ b) collide in every table, whatever the seed.
 */
export const CT4_HASH_ROUNDS = [
  { word: 'ifindexProto', multiplier: CT4_HASH_C1, shift: 16 },
  { word: 'ports', multiplier: CT4_HASH_C2, shift: 13 },
  { word: 'local', multiplier: CT4_HASH_C1, shift: 16 },
  { word: 'remote', multiplier: CT4_HASH_C2, shift: 13 },
] as const;

/** The key as the program reads it: each word little-endian from the way's bytes (CtWay4); `ifindexProto` is ifindex ^ proto << 24. */
export interface Ct4HashInput {
  seed: number;
  ifindexProto: number;
  ports: number;
  local: number;
  remote: number;
}

/** The 32-bit hash; the set is (hash & setMask) + 1. */
export function ct4Hash(k: Ct4HashInput): number {
  let h = k.seed >>> 0;
  for (const round of CT4_HASH_ROUNDS) {
    h = Math.imul((h ^ k[round.word]) >>> 0, round.multiplier) >>> 0;
    h = (h ^ (h >>> round.shift)) >>> 0;
  }
  return h;
}
