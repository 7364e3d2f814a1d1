import { randomFillSync } from 'node:crypto';
import type { Random } from '../random.js';

/** Bytes drawn from the OS at a time: most requests are a few bytes (tags, branches, SSRCs, RTCP intervals). */
const POOL = 4096;

/**
 * The HAL random source on Node: the OS CSPRNG through crypto.randomFillSync. Small requests are served from a
 * pool filled by one call (each call crosses into C++ and the OS: a fleet of phones asks hundreds of times a second);
 * every pooled byte is handed out once and then cleared.
 */
export class HostRandom implements Random {
  readonly #pool = new Uint8Array(POOL);
  #at = POOL;

  fill(dst: Uint8Array): Uint8Array {
    const n = dst.length;
    if (n > POOL >> 4) return randomFillSync(dst);
    let at = this.#at;
    if (at + n > POOL) {
      randomFillSync(this.#pool);
      at = 0;
    }
    const pool = this.#pool;
    for (let i = 0; i < n; i++) dst[i] = pool[at + i]!;
    // No copy of what was handed out (it may be key material) stays behind in the pool.
    pool.fill(0, at, at + n);
    this.#at = at + n;
    return dst;
  }
}
