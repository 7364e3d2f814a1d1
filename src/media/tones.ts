/**
 * Call-progress tones (dial, ringback, busy, congestion, call waiting) per country, and ring-tone
 * patterns for the ringer, as const tables of segments; a generator that fills frames from them with
 * two oscillators and a short ramp at every level change (no clicks), allocating nothing per frame.
 */
import { DualTone, dbm0ToAmplitude, SAMPLE_RATE } from './oscillator.js';

/** One step of a pattern: [frequency 1 Hz, frequency 2 Hz (0 = none), milliseconds]; 0 Hz for both is silence. */
export type ToneSegment = readonly [number, number, number];

export interface TonePattern {
  /** Played in order, then repeated; a single segment plays continuously. */
  readonly segments: readonly ToneSegment[];
  /** Level of each frequency component, dBm0. */
  readonly dbm0: number;
}

export type ProgressTone = 'dial' | 'ringback' | 'busy' | 'congestion' | 'call-waiting';
/** What the phone can ask for: a call-progress tone, the ringer, or nothing. */
export type ToneName = ProgressTone | 'ring';
export type Country = 'US' | 'UK' | 'DE' | 'FR';

function cadence(f1: number, f2: number, dbm0: number, ...onOff: number[]): TonePattern {
  const segments: ToneSegment[] = [];
  for (let i = 0; i < onOff.length; i++) segments.push(i % 2 === 0 ? [f1, f2, onOff[i]!] : [0, 0, onOff[i]!]);
  if (segments.length === 0) segments.push([f1, f2, 1000]);
  return Object.freeze({ segments: Object.freeze(segments), dbm0 });
}

/** Tone plans (ITU-T E.180 Supplement 2 values) and each country's ring cadence. Read-only. */
export const TONE_PLANS: Readonly<Record<Country, Readonly<Record<ToneName, TonePattern>>>> = Object.freeze({
  US: Object.freeze({
    dial: cadence(350, 440, -13),
    ringback: cadence(440, 480, -19, 2000, 4000),
    busy: cadence(480, 620, -24, 500, 500),
    congestion: cadence(480, 620, -24, 250, 250),
    'call-waiting': cadence(440, 0, -13, 300, 9700),
    ring: cadence(440, 480, -10, 2000, 4000),
  }),
  UK: Object.freeze({
    dial: cadence(350, 440, -13),
    ringback: cadence(400, 450, -16, 400, 200, 400, 2000),
    busy: cadence(400, 0, -13, 375, 375),
    congestion: cadence(400, 0, -13, 400, 350, 225, 525),
    'call-waiting': cadence(400, 0, -13, 100, 2000),
    ring: cadence(400, 450, -10, 400, 200, 400, 2000),
  }),
  DE: Object.freeze({
    dial: cadence(425, 0, -10),
    ringback: cadence(425, 0, -10, 1000, 4000),
    busy: cadence(425, 0, -10, 480, 480),
    congestion: cadence(425, 0, -10, 240, 240),
    'call-waiting': cadence(425, 0, -10, 200, 200, 200, 5000),
    ring: cadence(425, 0, -10, 1000, 4000),
  }),
  FR: Object.freeze({
    dial: cadence(440, 0, -10),
    ringback: cadence(440, 0, -10, 1500, 3500),
    busy: cadence(440, 0, -10, 500, 500),
    congestion: cadence(440, 0, -10, 250, 250),
    'call-waiting': cadence(440, 0, -10, 300, 10000),
    ring: cadence(440, 0, -10, 1500, 3500),
  }),
});

function melody(dbm0: number, ...steps: ToneSegment[]): TonePattern {
  return Object.freeze({ segments: Object.freeze(steps), dbm0 });
}

/** Ring tones for the ringer, by the name the settings store ('classic' is the default). Read-only. */
export const RING_TONES: Readonly<Record<string, TonePattern>> = Object.freeze({
  // bell-like: two close tones (beating), double ring
  classic: melody(-8, [1000, 1250, 400], [0, 0, 200], [1000, 1250, 400], [0, 0, 2000]),
  // a rising three-note chirp
  chirp: melody(-8, [880, 0, 120], [1175, 0, 120], [1568, 0, 240], [0, 0, 1500]),
  // a single long beep
  beep: melody(-8, [1400, 0, 1000], [0, 0, 3000]),
  // fast trill
  trill: melody(-8, [1300, 0, 50], [1600, 0, 50], [1300, 0, 50], [1600, 0, 50], [1300, 0, 50], [1600, 0, 50], [0, 0, 1700]),
});

/** Fills audio frames with a tone pattern. */
export class ToneGenerator {
  readonly #tone = new DualTone();
  #pattern: TonePattern | null = null;
  #segment = 0;
  #left = 0;
  #amplitude = 0;
  #country: Country;
  #ring: TonePattern | null = null;

  constructor(country: Country = 'US') {
    this.#country = country;
  }

  /** Changes the country of the call-progress tones (takes effect at the next play()). */
  setCountry(country: Country): void {
    this.#country = country;
  }

  /** Uses a named ring tone for 'ring' (unknown names fall back to the country's ring). */
  setRingTone(name: string): void {
    this.#ring = RING_TONES[name] ?? null;
  }

  /** The pattern playing, or null. */
  get pattern(): TonePattern | null {
    return this.#pattern;
  }

  /** Plays a tone by name (null stops); playing the tone already playing does not restart it. */
  play(name: ToneName | null): void {
    if (name === null) return this.stop();
    const pattern = name === 'ring' && this.#ring ? this.#ring : TONE_PLANS[this.#country][name];
    if (pattern !== this.#pattern) this.playPattern(pattern);
  }

  /** Plays any pattern from its start. */
  playPattern(pattern: TonePattern): void {
    this.#pattern = pattern;
    this.#amplitude = dbm0ToAmplitude(pattern.dbm0);
    this.#tone.reset();
    this.enter(0);
  }

  stop(): void {
    this.#pattern = null;
  }

  private enter(index: number): void {
    const seg = this.#pattern!.segments[index]!;
    this.#segment = index;
    this.#left = seg[2] * (SAMPLE_RATE / 1000);
    // a silence keeps the previous frequencies while ramping down
    if (seg[0] > 0) this.#tone.set(seg[0], seg[1], this.#amplitude);
    else this.#tone.silence();
  }

  /**
   * Writes count samples of the tone at out[offset] (silence during its off periods); returns false and
   * leaves out alone when no tone is playing.
   */
  fill(out: Int16Array, offset = 0, count = 160): boolean {
    const pattern = this.#pattern;
    if (!pattern) return false;
    const segments = pattern.segments;
    let done = 0;
    while (done < count) {
      if (segments.length === 1) {
        this.#tone.render(out, offset + done, count - done);
        break;
      }
      if (this.#left <= 0) this.enter(this.#segment + 1 < segments.length ? this.#segment + 1 : 0);
      const n = this.#left < count - done ? this.#left : count - done;
      this.#tone.render(out, offset + done, n);
      this.#left -= n;
      done += n;
    }
    return true;
  }
}
