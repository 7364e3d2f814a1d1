/**
 * The trial of a freshly installed image: it becomes permanent (markGood) only once the phone has reached
 * idle and registered within the allowed time; otherwise the device restarts, and the boot loader (or
 * the simulator's FileOta) goes back to the previous image because the trial was never confirmed.
 */
import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Ota } from '../../hal/ota.js';

export type TrialVerdict = 'not-on-trial' | 'confirmed' | 'rolled-back';

export interface HealthState {
  /** No call, not dialling. */
  readonly idle: boolean;
  /** At least one account registered (or none configured to register). */
  readonly registered: boolean;
}

export interface TrialHealthOptions {
  ota: Ota;
  clock: Clock;
  /** How long the new image has to become healthy. */
  timeoutMs: number;
  /** Told once how the trial ended (for the log and the screen). */
  onVerdict?(verdict: TrialVerdict, version: string): void;
}

export class TrialHealth {
  #timer: TimerHandle | undefined;
  #verdict: TrialVerdict | undefined;

  constructor(private readonly options: TrialHealthOptions) {
    const running = options.ota.running();
    if (running.confirmed) {
      this.#verdict = 'not-on-trial';
      return;
    }
    this.#timer = options.clock.setTimer(options.timeoutMs, () => {
      this.#timer = undefined;
      this.#end('rolled-back');
      options.ota.restart();
    });
  }

  /** Undefined while the trial runs. */
  get verdict(): TrialVerdict | undefined {
    return this.#verdict;
  }

  /** Call whenever the phone's state changes; confirms the image the first time it is healthy. */
  report(state: HealthState): void {
    if (this.#verdict !== undefined) return;
    if (!state.idle || !state.registered) return;
    this.options.ota.markGood();
    this.#end('confirmed');
  }

  /** Stops the trial timer without a verdict (shutdown). */
  dispose(): void {
    if (this.#timer !== undefined) this.options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #end(verdict: TrialVerdict): void {
    this.dispose();
    this.#verdict = verdict;
    this.options.onVerdict?.(verdict, this.options.ota.running().version);
  }
}

/**
 * The health of a phone-like object: idle (no calls, not dialling) and registered: some line registered,
 * or no line that registers at all (every line 'none': peer-to-peer accounts or no account yet).
 */
export function phoneHealth(phone: {
  readonly calls: readonly unknown[];
  readonly dialing: unknown;
  readonly lines: readonly { readonly registration: string }[];
}): HealthState {
  const idle = phone.calls.length === 0 && phone.dialing === undefined;
  const registered = phone.lines.some((l) => l.registration === 'registered') || phone.lines.every((l) => l.registration === 'none');
  return { idle, registered };
}
