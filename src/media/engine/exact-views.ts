/**
 * Exact-length views of reused packet buffers. The HAL's UdpSocket.send takes a whole Uint8Array,
 * while packets are written into larger reused buffers; a subarray per packet would allocate, so the
 * views are made once per (buffer, length) and kept. Audio packets have one length per ptime and
 * RTCP a handful, so a few entries cover the steady state; a miss replaces the oldest entry.
 */
export class ExactViews {
  readonly #buffers: Array<Uint8Array | null>;
  readonly #views: Array<Uint8Array | null>;
  readonly #lengths: Int32Array;
  #next = 0;
  #hit = 0;
  /** Views created (misses), for tests of the steady state. */
  created = 0;

  constructor(capacity = 8) {
    this.#buffers = new Array<Uint8Array | null>(capacity).fill(null);
    this.#views = new Array<Uint8Array | null>(capacity).fill(null);
    this.#lengths = new Int32Array(capacity).fill(-1);
  }

  /** buf[0..length) as its own Uint8Array, the same object every time for the same buffer and length. */
  of(buf: Uint8Array, length: number): Uint8Array {
    if (length === buf.length) return buf;
    const buffers = this.#buffers;
    const lengths = this.#lengths;
    // Mostly the audio packet again: the entry found last time is tried first.
    const hit = this.#hit;
    if (buffers[hit] === buf && lengths[hit] === length) return this.#views[hit]!;
    for (let i = 0; i < buffers.length; i++) {
      if (buffers[i] === buf && lengths[i] === length) {
        this.#hit = i;
        return this.#views[i]!;
      }
    }
    const at = this.#next;
    this.#next = at + 1 === buffers.length ? 0 : at + 1;
    const view = buf.subarray(0, length);
    buffers[at] = buf;
    lengths[at] = length;
    this.#views[at] = view;
    this.#hit = at;
    this.created++;
    return view;
  }
}
