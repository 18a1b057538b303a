/**
 * MurmurHash3 x86_32 of `prefix + id`, bit for bit what murmurhash3js' `x86.hash32` gives (the
 * package unleash-client buckets with; it hashes each UTF-16 unit's low byte, and so does this),
 * without building the string. A gate or split hashes "{groupId}:{id}" on every evaluation; the
 * prefix is fixed when the rule is compiled, so its whole 4-byte blocks are mixed once there and an
 * evaluation reads the id in place: no concatenation, no flattening of a fresh string, and
 * `Math.imul` instead of the package's split 16-bit multiplications (equal modulo 2^32).
 * properties.test.ts checks it against murmurhash3js on random strings and seeds.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function block(s: string, i: number): number {
  return (s.charCodeAt(i) & 0xff) | ((s.charCodeAt(i + 1) & 0xff) << 8) | ((s.charCodeAt(i + 2) & 0xff) << 16) | ((s.charCodeAt(i + 3) & 0xff) << 24);
}

/** Byte `j` of the virtual string `tail + id`. */
function byteAt(tail: string, id: string, j: number): number {
  return (j < tail.length ? tail.charCodeAt(j) : id.charCodeAt(j - tail.length)) & 0xff;
}

/**
 * `hash(id)` = hash32(prefix + id, seed) (unsigned 32-bit). A class rather than a closure: a
 * compiled flag holds one per gate and split, and an object with two fields is the smallest form.
 */
export class PrefixedHash32 {
  /** The state after the prefix's whole 4-byte blocks. */
  private readonly start: number;
  /** The prefix's last 0-3 units, mixed together with the id's first ones. */
  private readonly tail: string;
  /** The prefix's length without `tail`. */
  private readonly whole: number;

  constructor(prefix: string, seed: number) {
    const whole = prefix.length - (prefix.length % 4);
    let start = seed | 0;
    for (let i = 0; i < whole; i += 4) start = mixBlock(start, block(prefix, i));
    this.start = start;
    this.tail = prefix.slice(whole);
    this.whole = whole;
  }

  hash(id: string): number {
    const tail = this.tail;
    const tl = tail.length;
    const len = tl + id.length; // of the part still to mix
    const blocks = len - (len % 4);
    let h = this.start;
    let j = 0;
    // At most one block straddles the prefix's tail and the id.
    if (tl > 0 && blocks > 0) {
      h = mixBlock(h, byteAt(tail, id, 0) | (byteAt(tail, id, 1) << 8) | (byteAt(tail, id, 2) << 16) | (byteAt(tail, id, 3) << 24));
      j = 4;
    }
    for (; j < blocks; j += 4) h = mixBlock(h, block(id, j - tl));
    let k = 0;
    // The last 1-3 bytes, as murmurhash3js' fall-through switch mixes them.
    const rest = len % 4;
    if (rest === 3) k ^= byteAt(tail, id, j + 2) << 16;
    if (rest >= 2) k ^= byteAt(tail, id, j + 1) << 8;
    if (rest >= 1) {
      k ^= byteAt(tail, id, j);
      h ^= scramble(k);
    }
    h ^= this.whole + len; // the whole string's length
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }
}
