/** Missed, received and dialled calls, newest first, bounded, persisted through the HAL storage. */
import type { Storage } from '../../hal/storage.js';

export type HistoryKind = 'missed' | 'received' | 'dialled';

export interface HistoryEntry {
  kind: HistoryKind;
  /** The other party: user or number as shown, and the URI to call back. */
  remote: string;
  uri: string;
  name?: string;
  /** Wall-clock ms when the call started. */
  at: number;
  /** Seconds connected (0 for missed or unanswered). */
  duration: number;
  line: number;
}

const RECORD = 'history';

export class CallHistory {
  #entries: HistoryEntry[] = [];

  constructor(
    private storage: Storage | undefined,
    private limit = 50,
  ) {
    const text = storage?.read(RECORD);
    if (text === undefined) return;
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) this.#entries = parsed.filter(isEntry).slice(0, limit);
    } catch {
      // An unreadable history is dropped rather than blocking the phone; settings live elsewhere.
    }
  }

  get entries(): readonly HistoryEntry[] {
    return this.#entries;
  }

  add(entry: HistoryEntry): void {
    this.#entries.unshift(entry);
    if (this.#entries.length > this.limit) this.#entries.length = this.limit;
    this.storage?.write(RECORD, JSON.stringify(this.#entries));
  }

  /** The most recent dialled entry, for redial. */
  lastDialled(): HistoryEntry | undefined {
    return this.#entries.find((e) => e.kind === 'dialled');
  }

  missedCount(since = 0): number {
    return this.#entries.filter((e) => e.kind === 'missed' && e.at >= since).length;
  }

  clear(): void {
    this.#entries = [];
    this.storage?.write(RECORD, '[]');
  }
}

function isEntry(x: unknown): x is HistoryEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    (e.kind === 'missed' || e.kind === 'received' || e.kind === 'dialled') &&
    typeof e.remote === 'string' && typeof e.uri === 'string' && typeof e.at === 'number' &&
    typeof e.duration === 'number' && typeof e.line === 'number'
  );
}
