/**
 * Sliding replay window (RFC 3711 §3.3.2) over packet indices: remembers the highest index and
 * which of the WINDOW indices below it were seen. check() before authenticating, accept() after.
 */
export const REPLAY_WINDOW = 128;

export class ReplayWindow {
  private readonly seen = new Uint8Array(REPLAY_WINDOW);
  private highest = -1;

  /** True when the index is new and not older than the window. */
  check(index: number): boolean {
    if (index > this.highest) return true;
    if (this.highest - index >= REPLAY_WINDOW) return false;
    return this.seen[index % REPLAY_WINDOW] === 0;
  }

  accept(index: number): void {
    const seen = this.seen;
    if (index > this.highest) {
      const advance = index - this.highest;
      if (advance >= REPLAY_WINDOW || this.highest < 0) seen.fill(0);
      else for (let i = this.highest + 1; i < index; i++) seen[i % REPLAY_WINDOW] = 0;
      this.highest = index;
    }
    seen[index % REPLAY_WINDOW] = 1;
  }

  reset(): void {
    this.seen.fill(0);
    this.highest = -1;
  }
}
