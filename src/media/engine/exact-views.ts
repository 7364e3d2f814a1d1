/**
 * Exact-length views of reused packet buffers. The HAL's UdpSocket.send takes a whole Uint8Array,
 * while packets are written into larger reused buffers; a subarray per packet would allocate, so the
 * views are made once per (buffer, length) and kept. Audio packets have one length per ptime and
 * RTCP a handful, so a few entries cover the steady state; a miss replaces the oldest entry.
 */
export class ExactViews {
  /** The views made (null: free), oldest replaced first; each is found again by its buffer, offset and length. */
  readonly #views: Array<Uint8Array | null>;
  #next = 0;
  #hit = 0;
  /** Views created (misses), for tests of the steady state. */
  created = 0;

  constructor(capacity = 8) {
    this.#views = new Array<Uint8Array | null>(capacity).fill(null);
  }

  /** buf[0..length) as its own Uint8Array, the same object every time for the same buffer and length. */
  of(buf: Uint8Array, length: number): Uint8Array {
    if (length === buf.length) return buf;
    const views = this.#views;
    // Mostly the audio packet again: the entry found last time is tried first.
    const last = views[this.#hit]!;
    if (last !== null && isStartOf(last, buf, length)) return last;
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      if (v !== null && isStartOf(v, buf, length)) {
        this.#hit = i;
        return v;
      }
    }
    const at = this.#next;
    this.#next = at + 1 === views.length ? 0 : at + 1;
    const view = buf.subarray(0, length);
    views[at] = view;
    this.#hit = at;
    this.created++;
    return view;
  }
}

/**
 * view is buf[0..length): the same memory (no array of the buffers viewed is kept: the view knows where it lies).
 * Another buffer over the same memory gets the same view, which holds the same bytes.
 */
function isStartOf(view: Uint8Array, buf: Uint8Array, length: number): boolean {
  return view.length === length && view.byteOffset === buf.byteOffset && view.buffer === buf.buffer;
}
