import type { Random } from '../random.js';

/** A deterministic Random for tests and benchmarks (xorshift32): the same seed gives the same bytes. */
export class SeededRandom implements Random {
  #s: number;

  constructor(seed = 1) {
    this.#s = seed >>> 0 || 1;
  }

  fill(dst: Uint8Array): Uint8Array {
    for (let i = 0; i < dst.length; i++) {
      let x = this.#s;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#s = x >>> 0;
      dst[i] = this.#s & 0xff;
    }
    return dst;
  }
}
