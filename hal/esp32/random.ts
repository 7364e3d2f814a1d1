/** The HAL Random on the ESP32 hardware RNG (crypt's `rng` module: esp_fill_random; strong while the radio runs). */
import RNG from 'rng';
import type { Random } from '../random.js';

export class Esp32Random implements Random {
  fill(dst: Uint8Array): Uint8Array {
    dst.set(new Uint8Array(RNG.get(dst.length)));
    return dst;
  }
}
