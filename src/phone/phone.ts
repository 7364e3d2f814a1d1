/**
 * The phone as a whole: keys and user-agent events in, commands to the user agent and a screen/tone model out.
 * One place decides what every key does in every state, so the behaviour is testable on a virtual clock.
 */
import type { Clock, TimerHandle } from '../../hal/clock.js';
import { CallHistory } from './call-history.js';
import type { CallControl, CallEvent, CallId, LampState, RegistrationState } from './call-control.js';
import { compileDigitMap, matchDigits, type DigitMap } from './dial-plan.js';
import { blfIndex, isDigitKey, type Key } from './keys.js';
import type { Settings } from './settings.js';

export type CallPhase = 'calling' | 'ringback' | 'early-media' | 'incoming' | 'connected' | 'held';

export interface PhoneCall {
  readonly id: CallId;
  readonly line: number;
  readonly direction: 'in' | 'out';
  readonly remote: string;
  readonly uri: string;
  readonly name?: string;
  phase: CallPhase;
  remoteHeld: boolean;
  muted: boolean;
  /** Clock time the call started and was answered. */
  startedAt: number;
  connectedAt?: number;
  /** Wall time the call started, for the history. */
  wallStart: number;
  inConference: boolean;
}

export type DialPurpose = 'call' | 'transfer' | 'conference';

export interface Dialing {
  digits: string;
  purpose: DialPurpose;
  /** For transfer or conference: the call that was put on hold. */
  held?: CallId;
}

export type Tone = 'dial' | 'ringback' | 'busy' | 'congestion' | 'call-waiting' | 'ring' | null;

export interface LineStatus {
  label: string;
  registration: RegistrationState;
  mwi: { waiting: boolean; newMessages: number; oldMessages: number };
}

/** A busy-lamp-field key as the phone shows it. */
export interface Lamp {
  readonly label: string;
  readonly uri: string;
  state: LampState;
}

export interface PhoneOptions {
  clock: Clock;
  control: CallControl;
  settings: Settings;
  history?: CallHistory;
  /** Called after every change of what the screen or tones show. */
  onChange?: () => void;
  /** Called when the user changed a setting from the keys (DND, volume) so the app can save it. */
  onSettingsChange?: (settings: Settings) => void;
}

const NOTICE_MS = 5000;

export class Phone {
  readonly calls: PhoneCall[] = [];
  readonly lines: LineStatus[];
  readonly history: CallHistory;
  dialing: Dialing | undefined;
  /** The call in the foreground: keys act on it. */
  focus: CallId | undefined;
  offHook = false;
  line = 0;
  /** Index into the history while browsing it, else undefined. */
  browsing: number | undefined;
  notice: string | undefined;
  lastMessage: { from: string; text: string } | undefined;
  /** The BLF keys (settings.blf order) and what their lamps show. */
  lamps: Lamp[];
  /** Calls placed as the second leg of an attended transfer: consultation -> held original. */
  readonly #consultFor = new Map<CallId, CallId>();
  #settings: Settings;
  #map: DigitMap;
  #digitTimer: TimerHandle | undefined;
  #noticeTimer: TimerHandle | undefined;
  readonly #callTimers = new Map<CallId, TimerHandle>();

  constructor(private options: PhoneOptions) {
    this.#settings = options.settings;
    this.#map = compileDigitMap(options.settings.dialPlan.map);
    this.history = options.history ?? new CallHistory(undefined, options.settings.historySize);
    this.lines = options.settings.accounts.map((a) => ({
      label: a.label,
      registration: a.registrar ? 'registering' : 'none',
      mwi: { waiting: false, newMessages: 0, oldMessages: 0 },
    }));
    this.lamps = lampsFor(options.settings, []);
    if (this.lines.length === 0) this.lines.push({ label: 'Line 1', registration: 'none', mwi: { waiting: false, newMessages: 0, oldMessages: 0 } });
  }

  get settings(): Settings {
    return this.#settings;
  }

  /** Applies new settings (from the menu, a config file or provisioning). */
  applySettings(settings: Settings): void {
    this.#map = compileDigitMap(settings.dialPlan.map);
    this.#settings = settings;
    this.lamps = lampsFor(settings, this.lamps);
    this.#changed();
  }

  get focused(): PhoneCall | undefined {
    return this.calls.find((c) => c.id === this.focus);
  }

  /** The tone the audio path should play now. */
  get tone(): Tone {
    const f = this.focused;
    const ringing = this.calls.find((c) => c.phase === 'incoming');
    if (ringing) {
      const busy = this.calls.some((c) => c !== ringing && (c.phase === 'connected' || c.phase === 'calling' || c.phase === 'ringback'));
      return busy ? 'call-waiting' : 'ring';
    }
    if (f?.phase === 'ringback') return 'ringback';
    if (this.dialing && this.dialing.digits === '' && this.offHook && !f) return 'dial';
    if (this.notice !== undefined && this.offHook && !f && !this.dialing) return 'busy';
    return null;
  }

  /** Cancels the phone's own timers (dial time-out, notices, auto-answer, no-answer forward): it is shutting down. */
  dispose(): void {
    this.#clearDigitTimer();
    if (this.#noticeTimer !== undefined) this.options.clock.clearTimer(this.#noticeTimer);
    this.#noticeTimer = undefined;
    for (const id of [...this.#callTimers.keys()]) this.#clearCallTimer(id);
  }

  /** Calls a number or URI directly, as choosing a contact does. */
  dial(target: string): void {
    this.browsing = undefined;
    this.#place(target);
  }

  // ---- keys -------------------------------------------------------------------------------------------------------

  press(key: Key): void {
    if (this.notice !== undefined && !this.offHook) this.#clearNotice();
    const f = this.focused;
    const ringing = this.calls.find((c) => c.phase === 'incoming');

    if (key === 'volume-up' || key === 'volume-down') return this.#volume(key === 'volume-up' ? 1 : -1);
    if (key === 'dnd') return this.#toggleDnd();
    if (key === 'line1' || key === 'line2') {
      const n = key === 'line1' ? 0 : 1;
      if (n < this.lines.length) this.line = n;
      return this.#changed();
    }
    const blf = blfIndex(key);
    if (blf !== undefined) return this.#blfKey(blf);
    if (ringing && (!f || f === ringing || this.dialing === undefined)) {
      if (this.#ringingKey(key, ringing)) return;
    }
    if (this.dialing) return this.#dialingKey(key, this.dialing);
    if (f) return this.#callKey(key, f);
    if (this.browsing !== undefined) return this.#historyKey(key);
    this.#idleKey(key);
  }

  #idleKey(key: Key): void {
    if (isDigitKey(key)) {
      this.#startDialing('call', key);
    } else if (key === 'hook' || key === 'speaker') {
      this.offHook = true;
      this.#startDialing('call', '');
    } else if (key === 'redial' || key === 'soft1') {
      this.#redial();
    } else if (key === 'soft2' || key === 'up' || key === 'down') {
      this.browsing = 0;
      this.#changed();
    } else if (key === 'soft3') {
      this.#toggleDnd();
    } else if (key === 'voicemail' || key === 'soft4') {
      const vm = this.#settings.accounts[this.line]?.voicemail;
      if (vm) this.#place(vm);
      else this.#showNotice('No voicemail number is set for this line');
    }
  }

  /**
   * A BLF key calls that colleague (directed pick-up of a ringing colleague is not offered: it calls them too). While
   * dialling a transfer or conference target it picks the colleague as the target; during a call it does nothing.
   */
  #blfKey(index: number): void {
    const lamp = this.lamps[index];
    if (!lamp) return;
    const d = this.dialing;
    if (d && d.purpose !== 'call') {
      d.digits = lamp.uri;
      return this.#finishDialing();
    }
    if (d) this.#cancelDialing(false);
    else if (this.calls.length > 0) return;
    this.browsing = undefined;
    this.#place(lamp.uri);
  }

  #historyKey(key: Key): void {
    const n = this.history.entries.length;
    if (key === 'up') this.browsing = Math.max(0, this.browsing! - 1);
    else if (key === 'down') this.browsing = Math.min(Math.max(0, n - 1), this.browsing! + 1);
    else if (key === 'ok' || key === 'soft1' || key === 'hook' || key === 'speaker') {
      const entry = this.history.entries[this.browsing!];
      this.browsing = undefined;
      if (entry) {
        if (key === 'hook' || key === 'speaker') this.offHook = true;
        this.line = entry.line < this.lines.length ? entry.line : this.line;
        this.#place(entry.uri);
        return;
      }
    } else if (key === 'back' || key === 'soft4') this.browsing = undefined;
    else if (isDigitKey(key)) {
      this.browsing = undefined;
      return this.#startDialing('call', key);
    }
    this.#changed();
  }

  #dialingKey(key: Key, d: Dialing): void {
    if (isDigitKey(key)) {
      if (key === '#' && d.digits !== '') return this.#finishDialing();
      d.digits += key;
      this.#armDigitTimer();
      if (d.purpose !== 'transfer' && matchDigits(this.#map, d.digits) === 'complete') return this.#finishDialing();
      return this.#changed();
    }
    switch (key) {
      case 'soft1':
      case 'ok':
        if (d.digits !== '') this.#finishDialing();
        return;
      case 'transfer':
        // In transfer dialling the transfer key sends a blind transfer to what was typed.
        if (d.purpose === 'transfer' && d.digits !== '') return this.#finishDialing();
        return;
      case 'soft2':
      case 'back':
        d.digits = d.digits.slice(0, -1);
        this.#armDigitTimer();
        return this.#changed();
      case 'soft3':
        // Consult first: place the call instead of a blind transfer.
        if (d.purpose === 'transfer' && d.digits !== '') return this.#finishDialing(true);
        return;
      case 'soft4':
      case 'hook':
        return this.#cancelDialing();
      case 'redial':
        if (d.purpose === 'call') {
          this.#cancelDialing(false);
          this.#redial();
        }
        return;
      default:
        return;
    }
  }

  #ringingKey(key: Key, call: PhoneCall): boolean {
    const others = this.calls.filter((c) => c !== call && c.phase !== 'incoming');
    switch (key) {
      case 'hook':
      case 'speaker':
      case 'ok':
      case 'soft1':
        if (others.length && key === 'hook') {
          // On-hook during call waiting ends the current call; the waiting one keeps ringing.
          return false;
        }
        this.#answer(call);
        return true;
      case 'soft2':
        this.options.control.reject(call.id, 486);
        return true;
      case 'soft3':
        if (this.#settings.forward.busy || this.#settings.forward.always) {
          this.options.control.redirect(call.id, (this.#settings.forward.busy ?? this.#settings.forward.always)!);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  #callKey(key: Key, call: PhoneCall): void {
    const c = this.options.control;
    if (isDigitKey(key)) {
      if (call.phase === 'connected') c.dtmf(call.id, key);
      return;
    }
    switch (key) {
      case 'hook':
      case 'soft4':
        if (key === 'hook' && !this.offHook && call.phase === 'held') {
          // Picking up the handset with a held call resumes it.
          this.offHook = true;
          c.resume(call.id);
          return;
        }
        c.hangup(call.id);
        return;
      case 'speaker':
        this.offHook = !this.offHook;
        if (!this.offHook) c.hangup(call.id);
        return this.#changed();
      case 'hold':
      case 'soft1':
        if (call.phase === 'connected') c.hold(call.id);
        else if (call.phase === 'held') this.#resume(call);
        return;
      case 'mute':
        if (call.phase === 'connected' || call.phase === 'held') {
          call.muted = !call.muted;
          c.mute(call.id, call.muted);
          this.#changed();
        }
        return;
      case 'transfer':
      case 'soft2': {
        const original = this.#consultFor.get(call.id);
        if (original !== undefined && this.calls.some((x) => x.id === original)) {
          c.attendedTransfer(original, call.id);
          return;
        }
        if (call.phase === 'connected' || call.phase === 'held') {
          if (call.phase === 'connected') c.hold(call.id);
          this.dialing = { digits: '', purpose: 'transfer', held: call.id };
          this.focus = undefined;
          this.#changed();
        }
        return;
      }
      case 'conference':
      case 'soft3': {
        const other = this.calls.find((x) => x !== call && (x.phase === 'held' || x.phase === 'connected'));
        if (other && call.phase === 'connected') {
          const on = !(call.inConference && other.inConference);
          c.conference(other.id, call.id, on);
          call.inConference = other.inConference = on;
          return this.#changed();
        }
        if (key === 'conference' && call.phase === 'connected') {
          c.hold(call.id);
          this.dialing = { digits: '', purpose: 'conference', held: call.id };
          this.focus = undefined;
          this.#changed();
        } else if (key === 'soft3' && other) this.#swap(call, other);
        return;
      }
      case 'up':
      case 'down': {
        const other = this.calls.find((x) => x !== call);
        if (other) this.#swap(call, other);
        return;
      }
      default:
        return;
    }
  }

  // ---- user-agent events ------------------------------------------------------------------------------------------

  handle(event: CallEvent): void {
    switch (event.type) {
      case 'incoming':
        return this.#incoming(event);
      case 'outgoing': {
        const call: PhoneCall = {
          id: event.call, line: event.line, direction: 'out', remote: event.remote, uri: event.uri, phase: 'calling',
          ...(event.name ? { name: event.name } : {}),
          remoteHeld: false, muted: false, startedAt: this.options.clock.now(), wallStart: this.options.clock.wallTime(), inConference: false,
        };
        this.calls.push(call);
        this.focus = call.id;
        return this.#changed();
      }
      case 'progress': {
        const call = this.#call(event.call);
        if (call && (call.phase === 'calling' || call.phase === 'ringback' || call.phase === 'early-media')) {
          call.phase = event.earlyMedia ? 'early-media' : 'ringback';
          this.#changed();
        }
        return;
      }
      case 'answered': {
        const call = this.#call(event.call);
        if (!call) return;
        call.phase = 'connected';
        call.connectedAt ??= this.options.clock.now();
        this.#clearCallTimer(call.id);
        this.focus = call.id;
        // Answering a second call puts the first on hold (call waiting).
        for (const other of this.calls) if (other !== call && other.phase === 'connected' && !other.inConference) this.options.control.hold(other.id);
        return this.#changed();
      }
      case 'hold': {
        const call = this.#call(event.call);
        if (!call || (call.phase !== 'connected' && call.phase !== 'held')) return;
        call.phase = event.held ? 'held' : 'connected';
        return this.#changed();
      }
      case 'remote-hold': {
        const call = this.#call(event.call);
        if (call) {
          call.remoteHeld = event.held;
          this.#changed();
        }
        return;
      }
      case 'ended':
        return this.#ended(event);
      case 'transfer-result': {
        if (event.ok) this.#showNotice('Call transferred');
        else this.#showNotice(`Transfer failed${event.reason ? `: ${event.reason}` : ''}`);
        return;
      }
      case 'registration': {
        const line = this.lines[event.line];
        if (!line) return;
        const was = line.registration;
        line.registration = event.state;
        if (event.state === 'failed' && was !== 'failed')
          this.#showNotice(`Registration failed${event.status ? `: ${event.status}` : ''}${event.reason ? ` ${event.reason}` : ''}`);
        return this.#changed();
      }
      case 'mwi': {
        const line = this.lines[event.line];
        if (!line) return;
        line.mwi = { waiting: event.waiting, newMessages: event.newMessages, oldMessages: event.oldMessages };
        return this.#changed();
      }
      case 'message':
        this.lastMessage = { from: event.from, text: event.text };
        return this.#showNotice(`Message from ${event.from}: ${event.text}`);
      case 'message-failed':
        return this.#showNotice(`Message to ${event.to} failed: ${event.status} ${event.reason}`);
      case 'blf': {
        const lamp = this.lamps[event.index];
        if (!lamp || lamp.state === event.state) return;
        lamp.state = event.state;
        return this.#changed();
      }
    }
  }

  #incoming(e: Extract<CallEvent, { type: 'incoming' }>): void {
    const s = this.#settings;
    const c = this.options.control;
    const busy = this.calls.length > 0 || this.dialing !== undefined;
    if (s.forward.always) return c.redirect(e.call, s.forward.always);
    if (s.dnd) {
      this.#addHistory({ kind: 'missed', remote: e.remote, uri: e.uri, name: e.name, line: e.line, duration: 0 });
      return c.reject(e.call, 486);
    }
    if (busy && (!s.callWaiting || this.calls.some((x) => x.phase === 'incoming') || this.calls.length >= 2)) {
      if (s.forward.busy) return c.redirect(e.call, s.forward.busy);
      this.#addHistory({ kind: 'missed', remote: e.remote, uri: e.uri, name: e.name, line: e.line, duration: 0 });
      return c.reject(e.call, 486);
    }
    const call: PhoneCall = {
      id: e.call, line: e.line, direction: 'in', remote: e.remote, uri: e.uri, name: e.name, phase: 'incoming',
      remoteHeld: false, muted: false, startedAt: this.options.clock.now(), wallStart: this.options.clock.wallTime(), inConference: false,
    };
    this.calls.push(call);
    if (!busy) this.focus = call.id;
    if (!busy && (s.autoAnswer.enabled || e.intercom)) {
      // No delay means as soon as the user agent has sent its 180 (a microtask), not on the next timer tick: a host
      // timer of 0 ms still waits about a millisecond.
      if (s.autoAnswer.delayMs === 0) {
        void Promise.resolve().then(() => {
          if (call.phase === 'incoming' && this.calls.includes(call)) this.#answer(call);
        });
        return this.#changed();
      }
      this.#callTimers.set(call.id, this.options.clock.setTimer(s.autoAnswer.delayMs, () => this.#answer(call)));
    } else if (s.forward.noAnswer) {
      const target = s.forward.noAnswer;
      this.#callTimers.set(call.id, this.options.clock.setTimer(s.forward.noAnswerSeconds * 1000, () => {
        if (call.phase === 'incoming') c.redirect(call.id, target);
      }));
    }
    this.#changed();
  }

  #ended(e: Extract<CallEvent, { type: 'ended' }>): void {
    const i = this.calls.findIndex((c) => c.id === e.call);
    if (i < 0) return;
    const call = this.calls[i]!;
    this.calls.splice(i, 1);
    this.#clearCallTimer(call.id);
    this.#consultFor.delete(call.id);
    for (const [consult, original] of this.#consultFor) if (original === call.id) this.#consultFor.delete(consult);
    const duration = call.connectedAt === undefined ? 0 : Math.round((this.options.clock.now() - call.connectedAt) / 1000);
    const kind = call.direction === 'out' ? 'dialled' : call.connectedAt === undefined ? 'missed' : 'received';
    this.#addHistory({ kind, remote: call.remote, uri: call.uri, name: call.name, line: call.line, duration });
    for (const other of this.calls) other.inConference = false;
    if (this.focus === call.id) this.focus = this.calls.find((c) => c.phase !== 'incoming')?.id ?? this.calls[0]?.id;
    if (this.dialing?.held === call.id) this.dialing = undefined;
    if (call.connectedAt === undefined && call.direction === 'out' && e.status !== undefined && e.status >= 300) {
      this.#showNotice(failureText(e.status, e.reason));
    } else if (this.calls.length === 0) {
      this.offHook = false;
    }
    this.#changed();
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  #startDialing(purpose: DialPurpose, first: string): void {
    this.dialing = { digits: '', purpose };
    this.browsing = undefined;
    if (first) return this.#dialingKey(first as Key, this.dialing);
    this.#armDigitTimer();
    this.#changed();
  }

  #armDigitTimer(): void {
    this.#clearDigitTimer();
    this.#digitTimer = this.options.clock.setTimer(this.#settings.dialPlan.interDigitMs, () => {
      this.#digitTimer = undefined;
      const d = this.dialing;
      if (!d) return;
      if (d.digits !== '') this.#finishDialing();
      else if (d.purpose === 'call' && !this.offHook) this.#cancelDialing();
    });
  }

  #clearDigitTimer(): void {
    if (this.#digitTimer !== undefined) this.options.clock.clearTimer(this.#digitTimer);
    this.#digitTimer = undefined;
  }

  #finishDialing(consult = false): void {
    const d = this.dialing!;
    this.#clearDigitTimer();
    this.dialing = undefined;
    let target = d.digits;
    const speed = this.#settings.speedDial[target];
    if (target.length === 1 && speed) target = speed;
    if (d.purpose === 'transfer' && !consult && d.held !== undefined) {
      this.focus = d.held;
      this.options.control.blindTransfer(d.held, target);
      return this.#changed();
    }
    const id = this.#place(target);
    if (d.held !== undefined && id !== undefined) {
      if (d.purpose === 'transfer') this.#consultFor.set(id, d.held);
    }
  }

  #cancelDialing(changed = true): void {
    const d = this.dialing;
    this.#clearDigitTimer();
    this.dialing = undefined;
    if (d?.held !== undefined) {
      this.focus = d.held;
      this.options.control.resume(d.held);
    } else if (this.calls.length === 0) this.offHook = false;
    if (changed) this.#changed();
  }

  /** The contacts' name for a dialled number or URI, when it says more than the number itself. */
  #contactName(target: string, remote: string): string | undefined {
    const c = this.#settings.contacts.find((x) => x.number === target || x.uri === target || x.number === remote);
    return c && c.name !== remote ? c.name : undefined;
  }

  #place(target: string): CallId | undefined {
    const id = this.options.control.place(this.line, target);
    const remote = displayTarget(target);
    const name = this.#contactName(target, remote);
    const call: PhoneCall = {
      id, line: this.line, direction: 'out', remote, uri: target, ...(name ? { name } : {}), phase: 'calling',
      remoteHeld: false, muted: false, startedAt: this.options.clock.now(), wallStart: this.options.clock.wallTime(), inConference: false,
    };
    this.calls.push(call);
    this.focus = id;
    this.#changed();
    return id;
  }

  #redial(): void {
    const last = this.history.lastDialled();
    if (last) this.#place(last.uri);
    else this.#showNotice('No number to redial');
  }

  #answer(call: PhoneCall): void {
    this.#clearCallTimer(call.id);
    this.offHook = true;
    this.options.control.answer(call.id);
  }

  #resume(call: PhoneCall): void {
    for (const other of this.calls) if (other !== call && other.phase === 'connected' && !other.inConference) this.options.control.hold(other.id);
    this.focus = call.id;
    this.options.control.resume(call.id);
    this.#changed();
  }

  #swap(active: PhoneCall, other: PhoneCall): void {
    if (active.phase === 'connected') this.options.control.hold(active.id);
    this.focus = other.id;
    if (other.phase === 'held') this.options.control.resume(other.id);
    this.#changed();
  }

  #toggleDnd(): void {
    this.#settings = { ...this.#settings, dnd: !this.#settings.dnd };
    this.options.onSettingsChange?.(this.#settings);
    this.#showNotice(this.#settings.dnd ? 'Do not disturb is on' : 'Do not disturb is off');
  }

  #volume(step: number): void {
    const v = this.#settings.volumes;
    const which = this.calls.some((c) => c.phase === 'incoming') || this.calls.length === 0 ? 'ring' : this.offHook ? 'handset' : 'speaker';
    const next = Math.max(0, Math.min(10, v[which] + step));
    this.#settings = { ...this.#settings, volumes: { ...v, [which]: next } };
    this.options.onSettingsChange?.(this.#settings);
    this.#showNotice(`Volume ${'|'.repeat(next)}${'.'.repeat(10 - next)}`);
  }

  #addHistory(e: { kind: 'missed' | 'received' | 'dialled'; remote: string; uri: string; name?: string; line: number; duration: number }): void {
    const entry = { ...e, at: this.options.clock.wallTime() };
    if (entry.name === undefined) delete entry.name;
    this.history.add(entry);
  }

  #showNotice(text: string): void {
    this.notice = text;
    if (this.#noticeTimer !== undefined) this.options.clock.clearTimer(this.#noticeTimer);
    this.#noticeTimer = this.options.clock.setTimer(NOTICE_MS, () => {
      this.#noticeTimer = undefined;
      this.notice = undefined;
      if (this.calls.length === 0 && !this.dialing) this.offHook = false;
      this.#changed();
    });
    this.#changed();
  }

  #clearNotice(): void {
    if (this.#noticeTimer !== undefined) this.options.clock.clearTimer(this.#noticeTimer);
    this.#noticeTimer = undefined;
    this.notice = undefined;
  }

  #clearCallTimer(id: CallId): void {
    const t = this.#callTimers.get(id);
    if (t !== undefined) this.options.clock.clearTimer(t);
    this.#callTimers.delete(id);
  }

  #call(id: CallId): PhoneCall | undefined {
    return this.calls.find((c) => c.id === id);
  }

  #changed(): void {
    this.options.onChange?.();
  }
}

/** Lamps for the configured BLF keys; a key that keeps its URI keeps its lamp's state. */
function lampsFor(settings: Settings, old: readonly Lamp[]): Lamp[] {
  return settings.blf.map((b) => ({ label: b.label, uri: b.uri, state: old.find((l) => l.uri === b.uri)?.state ?? 'unknown' }));
}

/** What a person reads when a call fails, e.g. "Busy: 486 Busy Here". */
export function failureText(status: number, reason?: string): string {
  const words: Record<number, string> = {
    404: 'Number not found', 480: 'Not available', 486: 'Busy', 600: 'Busy', 603: 'Call declined', 408: 'No answer',
    487: 'Call cancelled', 488: 'No common audio codec', 403: 'Call not allowed', 401: 'Not authorised', 407: 'Not authorised',
    484: 'Incomplete number', 503: 'Service unavailable',
  };
  const lead = words[status] ?? (status >= 500 ? 'Network error' : 'Call failed');
  return `${lead}: ${status}${reason ? ` ${reason}` : ''}`;
}

/** The part of a dialled target a person recognises: the user of a URI or the digits. */
export function displayTarget(target: string): string {
  const m = /^(?:sips?|tel):([^@;>]+)/.exec(target);
  return m ? m[1]! : target;
}
