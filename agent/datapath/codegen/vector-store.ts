// The classifier's bit vectors, interned: equal vectors share one index (the value a key or LPM
// entry resolves to). 10,000 rules make some 20,000 vectors of a few hundred words each; they live
// in one growing arena and are deduplicated by a hash kept as bits change, compared word by word
// on a hash hit: a buffer or string key per vector made hashing and the garbage collector the
// build's largest cost, and the build most of the time from bundle to attached programs.

/** A bit's contribution to a vector's hash (a murmur3 finaliser of the bit number). */
function bitHash(bit: number): number {
  let h = Math.imul(bit + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A bit vector being built, with a hash kept up to date as bits change (the XOR of its set bits'
 * hashes), so interning costs one lookup instead of a pass over every word.
 */
export class BitVector {
  readonly w: Uint32Array;
  hash = 0;

  /** `words`: 64-bit words. */
  constructor(words: number, from?: BitVector) {
    this.w = from ? from.w.slice() : new Uint32Array(words * 2);
    if (from) this.hash = from.hash;
  }

  /** Become a copy of `from` (same size), without allocating. */
  copyFrom(from: BitVector): void {
    this.w.set(from.w);
    this.hash = from.hash;
  }

  set(bit: number): void {
    const mask = 1 << (bit & 31);
    if ((this.w[bit >>> 5]! & mask) !== 0) return;
    this.w[bit >>> 5]! |= mask;
    this.hash ^= bitHash(bit);
  }

  clear(bit: number): void {
    const mask = 1 << (bit & 31);
    if ((this.w[bit >>> 5]! & mask) === 0) return;
    this.w[bit >>> 5]! &= ~mask;
    this.hash ^= bitHash(bit);
  }
}

export class VectorStore {
  private arena: Uint32Array;
  private readonly byHash = new Map<number, number[]>();
  count = 0;

  /** `stride`: 32-bit halves per vector (two per 64-bit data word). */
  constructor(private readonly stride: number) {
    this.arena = new Uint32Array(Math.max(1, stride) * 64);
  }

  /** The index of a vector equal to `vector` (copied in when new; the caller may go on changing it). */
  intern(vector: BitVector): number {
    const { w, hash } = vector;
    const candidates = this.byHash.get(hash);
    if (candidates) for (const index of candidates) if (this.equals(index, w)) return index;
    const index = this.count++;
    if (this.count * this.stride > this.arena.length) {
      const grown = new Uint32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    this.arena.set(w, index * this.stride);
    if (candidates) candidates.push(index);
    else this.byHash.set(hash, [index]);
    return index;
  }

  private equals(index: number, w: Uint32Array): boolean {
    const at = index * this.stride;
    for (let i = 0; i < w.length; i++) if (this.arena[at + i] !== w[i]) return false;
    return true;
  }

  /**
   * The cls_vectors array's values, vector after vector: `summaryWords` 64-bit words (bit j: data
   * word j is not zero), then the data words.
   */
  encode(summaryWords: number): Buffer {
    const words = this.stride / 2;
    const size = (summaryWords + words) * 8;
    const out = Buffer.alloc(this.count * size);
    const bytes = Buffer.from(this.arena.buffer, this.arena.byteOffset, this.count * this.stride * 4);
    for (let index = 0; index < this.count; index++) {
      const value = index * size;
      const at = index * this.stride;
      for (let word = 0; word < words; word++) {
        if (this.arena[at + 2 * word] !== 0 || this.arena[at + 2 * word + 1] !== 0) out[value + (word >>> 3)]! |= 1 << (word & 7);
      }
      bytes.copy(out, value + summaryWords * 8, at * 4, (at + this.stride) * 4);
    }
    return out;
  }
}
