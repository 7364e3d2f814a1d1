import { randomFillSync } from 'node:crypto';
import type { Random } from '../random.js';

/** The HAL random source on Node: the OS CSPRNG through crypto.randomFillSync. */
export class HostRandom implements Random {
  fill(dst: Uint8Array): Uint8Array {
    return randomFillSync(dst);
  }
}
