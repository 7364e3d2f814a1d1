/** What the phone app asks of the SIP user agent, and what the user agent tells the phone. */
import type { DigitKey } from './keys.js';

export type CallId = number;

export interface CallControl {
  /** Starts a call on a line to dialled digits or a URI; returns its id (events follow). */
  place(line: number, target: string): CallId;
  answer(call: CallId): void;
  /** Refuses a ringing call: 486 Busy Here, 603 Decline, 480 Temporarily Unavailable. */
  reject(call: CallId, status: 486 | 603 | 480): void;
  /** Answers a ringing call with 302 to another target (call forward). */
  redirect(call: CallId, target: string): void;
  /** Ends a call in any state (CANCEL before answer, BYE after). */
  hangup(call: CallId): void;
  hold(call: CallId): void;
  resume(call: CallId): void;
  dtmf(call: CallId, digit: DigitKey): void;
  mute(call: CallId, on: boolean): void;
  blindTransfer(call: CallId, target: string): void;
  attendedTransfer(call: CallId, consultation: CallId): void;
  /** Mixes two calls locally (3-way conference) or splits them again. */
  conference(a: CallId, b: CallId, on: boolean): void;
  /** Ends every call and releases media resources (the phone is shutting down). */
  shutdown?(): void;
}

export type RegistrationState = 'none' | 'registering' | 'registered' | 'failed';

/** A busy-lamp-field lamp: the colleague's phone is idle, ringing or busy; unknown while we cannot watch it. */
export type LampState = 'idle' | 'ringing' | 'busy' | 'unknown';

export type CallEvent =
  | { type: 'incoming'; call: CallId; line: number; remote: string; uri: string; name?: string; intercom?: boolean }
  /** A call the user agent placed for us (we were transferred): the phone shows and tracks it like its own. */
  | { type: 'outgoing'; call: CallId; line: number; remote: string; uri: string; name?: string }
  /** 180 Ringing (play ringback) or 183 with early media (play what the network sends). */
  | { type: 'progress'; call: CallId; earlyMedia: boolean }
  | { type: 'answered'; call: CallId }
  /** Our hold or resume took effect (re-INVITE answered). */
  | { type: 'hold'; call: CallId; held: boolean }
  | { type: 'remote-hold'; call: CallId; held: boolean }
  /** The call is over; status and reason say why when it failed (e.g. 486 "Busy Here"). */
  | { type: 'ended'; call: CallId; status?: number; reason?: string; byRemote?: boolean }
  | { type: 'transfer-result'; call: CallId; ok: boolean; reason?: string }
  | { type: 'registration'; line: number; state: RegistrationState; status?: number; reason?: string }
  | { type: 'mwi'; line: number; waiting: boolean; newMessages: number; oldMessages: number }
  | { type: 'message'; line: number; from: string; text: string }
  | { type: 'message-failed'; to: string; status: number; reason: string }
  /** BLF key `index` (settings.blf order) shows a new state. */
  | { type: 'blf'; index: number; state: LampState };
