/** A phone as the simulator's web page and control API see it: press keys, read the screen, hear about changes. */
import type { Key } from '../src/phone/keys.js';
import type { Screen } from '../src/phone/screen.js';
import type { HistoryEntry } from '../src/phone/call-history.js';
import type { Tone } from '../src/phone/phone.js';

export interface PhoneSnapshot {
  id: string;
  label: string;
  screen: Screen;
  tone: Tone;
  calls: Array<{ id: number; phase: string; remote: string; direction: 'in' | 'out'; connectedMs?: number }>;
  history: readonly HistoryEntry[];
}

export interface PhoneHost {
  readonly id: string;
  readonly label: string;
  press(key: Key): void;
  snapshot(): PhoneSnapshot;
  /** Registers a listener for screen/state changes and events; returns a function that removes it. */
  subscribe(listener: (change: { kind: 'state' } | { kind: 'event'; event: Record<string, unknown> }) => void): () => void;
}
