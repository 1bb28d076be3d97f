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

/**
 * Interned vectors kept in the layout of the cls_vectors map's values, vector after vector:
 * `summaryWords` 64-bit words (bit j: data word j is not zero), then the data words. A new vector
 * gets its summary when it is copied in, so the map's contents are the arena itself (encode() is a
 * view, not a 12.8 MiB copy at 10,000 rules), and an arena sized from the caller's estimate does
 * not grow by copying either.
 */
export class VectorStore {
  private arena: Uint32Array;
  /** 32-bit halves per stored vector: summary, then data. */
  private readonly slot: number;
  /** 32-bit halves of a vector's data. */
  private readonly stride: number;
  private readonly byHash = new Map<number, number[]>();
  count = 0;

  /**
   * `words`: 64-bit data words per vector; `summaryWords`: summary words before them; `expected`:
   * how many distinct vectors the caller expects (the arena grows past it when needed).
   */
  constructor(
    words: number,
    private readonly summaryWords: number,
    expected = 64,
  ) {
    this.stride = words * 2;
    this.slot = (summaryWords + words) * 2;
    this.arena = new Uint32Array(Math.max(1, this.slot) * Math.max(1, expected));
  }

  /** The index of a vector equal to `vector` (copied in when new; the caller may go on changing it). */
  intern(vector: BitVector): number {
    const { w, hash } = vector;
    const candidates = this.byHash.get(hash);
    if (candidates) for (const index of candidates) if (this.equals(index, w)) return index;
    const index = this.count++;
    if (this.count * this.slot > this.arena.length) {
      const grown = new Uint32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    const at = index * this.slot;
    const data = at + this.summaryWords * 2;
    this.arena.set(w, data);
    // the summary: bit j of the summary words says data word j (two halves) is not zero
    for (let word = 0; word * 2 < this.stride; word++) {
      if ((w[2 * word]! | w[2 * word + 1]!) !== 0) this.arena[at + (word >>> 5)]! |= 1 << (word & 31);
    }
    if (candidates) candidates.push(index);
    else this.byHash.set(hash, [index]);
    return index;
  }

  private equals(index: number, w: Uint32Array): boolean {
    const at = index * this.slot + this.summaryWords * 2;
    for (let i = 0; i < w.length; i++) if (this.arena[at + i] !== w[i]) return false;
    return true;
  }

  /**
   * The cls_vectors array's values, vector after vector: `summaryWords` 64-bit words, then the
   * data words, in host byte order (the summary's bits as the program reads them: bit j of the
   * summary is bit j & 7 of its byte j >> 3 on the little-endian hosts it runs on). A view of the
   * arena: interning more afterwards may reallocate it.
   */
  encode(): Buffer {
    return Buffer.from(this.arena.buffer, this.arena.byteOffset, this.count * this.slot * 4);
  }
}
