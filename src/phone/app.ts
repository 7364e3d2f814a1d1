/**
 * The whole phone on one set of HAL objects: SIP transport and user agent, one registration per account, calls,
 * media, and the phone state machine the keys and screen talk to. The device's main and the simulator both build
 * one of these; nothing here knows which platform it runs on.
 */
import type { AudioInput, AudioOutput } from '../../hal/audio.js';
import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Crypto } from '../../hal/crypto.js';
import type { Network } from '../../hal/net.js';
import type { Random } from '../../hal/random.js';
import type { Storage } from '../../hal/storage.js';
import { silent, type Logger } from '../log.js';
import type { CallStats } from '../media/call-stats.js';
import { DnsResolver } from '../sip/dns/resolver.js';
import { SipLocator } from '../sip/dns/sip-locator.js';
import { sipCodec, SipTransport } from '../sip/transport/index.js';
import type { Protocol } from '../sip/transport/types.js';
import { Admission } from '../sip/ua/admission.js';
import { Registration, type RegistrationState } from '../sip/ua/registration.js';
import { UserAgent, PRODUCT } from '../sip/ua/user-agent.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import { CallHistory } from './call-history.js';
import type { CallControl } from './call-control.js';
import type { Key } from './keys.js';
import { Phone } from './phone.js';
import { renderScreen, type Screen } from './screen.js';
import { startServices, type PhoneServices } from './services.js';
import type { Account, Settings } from './settings.js';

export interface PhoneHal {
  clock: Clock;
  random: Random;
  crypto: Crypto;
  network: Network;
  storage?: Storage;
  audioInput?: AudioInput;
  audioOutput?: AudioOutput;
  /**
   * How loud the speaker is at the microphone at full volume, dB (the device's acoustic coupling, measured once per
   * hardware design). Set when the microphone can hear the speaker: the echo is then suppressed.
   */
  echoCouplingDb?: number;
  log?: Logger;
}

/** Events for logs, the simulator's JSON lines and the control API. */
export type AppEvent =
  | { type: 'registered'; line: number; account: string; expires: number; contact: string }
  | { type: 'registration-failed'; line: number; account: string; status: number; reason: string }
  | { type: 'unregistered'; line: number; account: string }
  | { type: 'incoming'; call: number; line: number; from: string }
  | { type: 'ringing'; call: number }
  | { type: 'answered'; call: number }
  | { type: 'ended'; call: number; cause: string; status?: number; reason?: string; duration: number; media?: CallQuality }
  | { type: 'error'; message: string };

/** How a call's audio went, from its RTP/RTCP statistics (rounded for reading). */
export interface CallQuality {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  lossPercent: number;
  jitterMs: number;
  /** Round-trip time from RTCP; absent when never measured. */
  rttMs?: number;
  mos: number;
}

/** The figures of a call's statistics for the `ended` event. */
export function callQuality(s: CallStats): CallQuality {
  const tenth = (n: number): number => Math.round(n * 10) / 10;
  return {
    packetsSent: s.packetsSent, packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, lossPercent: tenth(s.lossPercent),
    jitterMs: tenth(s.jitterMs), ...(s.rttMs >= 0 ? { rttMs: tenth(s.rttMs) } : {}), mos: Math.round(s.mos * 100) / 100,
  };
}

export interface PhoneAppOptions {
  hal: PhoneHal;
  settings: Settings;
  /** Local address to bind and advertise (Via, Contact, SDP). */
  address: string;
  /** SIP port (UDP and TCP); 0 picks a free one. Default settings.network.sipPort. */
  sipPort?: number;
  product?: string;
  onEvent?: (event: AppEvent) => void;
  onScreen?: () => void;
  /** The user changed a setting from the keys (DND, volume): save it. */
  onSettingsChange?: (settings: Settings) => void;
  /** Builds the call control over the user agent (the calls layer); absent: a phone that only registers. */
  calls?: (app: PhoneApp) => CallControl;
  /** PEM CA bundle that TLS (sips:, transport=tls) servers are validated against; absent: the platform's roots. */
  tlsCa?: string;
}

/** How often the phone looks at its network addresses. */
const NETWORK_CHECK_MS = 2000;

function transportOf(a: Account): Protocol {
  return a.transport === 'tcp' ? 'TCP' : a.transport === 'tls' ? 'TLS' : 'UDP';
}

function uriOrUndefined(text: string | undefined): SipUri | undefined {
  if (!text) return undefined;
  const u = parseUri(text);
  return isSipUri(u) ? u : undefined;
}

/** Registrar URI with the account's transport, unless the URI names one. */
function registrarUri(a: Account): SipUri | undefined {
  const u = uriOrUndefined(a.registrar);
  if (!u) return undefined;
  if (u.params['transport'] === undefined && a.transport !== 'udp' && u.scheme === 'sip') u.params['transport'] = a.transport;
  return u;
}

export class PhoneApp {
  readonly hal: PhoneHal;
  readonly ua: UserAgent;
  readonly phone: Phone;
  readonly registrations: Array<Registration | undefined>;
  readonly log: Logger;
  #options: PhoneAppOptions;
  readonly #changeListeners: Array<() => void> = [];
  #control: CallControl | undefined;
  /** Instant messages and the voicemail light. */
  services: PhoneServices | undefined;
  #stopped = false;
  #netTimer: TimerHandle | undefined;

  private constructor(options: PhoneAppOptions, ua: UserAgent) {
    this.#options = options;
    this.hal = options.hal;
    this.ua = ua;
    this.log = options.hal.log ?? silent;
    const settings = options.settings;
    this.registrations = settings.accounts.map((account, line) => {
      const registrar = registrarUri(account);
      if (!registrar || !account.enabled) return undefined;
      const proxy = uriOrUndefined(account.outboundProxy);
      const backup = uriOrUndefined(account.backupRegistrar);
      return new Registration(
        ua,
        {
          user: account.user,
          password: account.password,
          domain: account.domain,
          registrar,
          expires: account.expires,
          ...(account.authUser ? { authUser: account.authUser } : {}),
          ...(account.displayName ? { displayName: account.displayName } : {}),
          ...(proxy ? { outboundProxy: proxy } : {}),
          ...(backup ? { backupRegistrar: backup } : {}),
        },
        { onState: (s) => this.#registration(line, account, s), rewriteContact: account.rewriteContact !== false },
      );
    });
    const history = new CallHistory(options.hal.storage, settings.historySize);
    const control: CallControl = options.calls ? options.calls(this) : noCalls(this);
    this.#control = control;
    this.phone = new Phone({
      clock: options.hal.clock, control, settings, history,
      ...(options.onSettingsChange ? { onSettingsChange: options.onSettingsChange } : {}),
      onChange: () => {
        for (const l of this.#changeListeners) l();
        options.onScreen?.();
      },
    });
  }

  /** Opens the SIP sockets and starts registering every account that has a registrar. */
  static async start(options: PhoneAppOptions): Promise<PhoneApp> {
    const { hal, settings } = options;
    const port = options.sipPort ?? settings.network.sipPort;
    const transport = await SipTransport.open({
      network: hal.network,
      clock: hal.clock,
      random: hal.random,
      codec: sipCodec(),
      udp: { address: options.address, port },
      tcp: { address: options.address, port },
      ...(options.tlsCa !== undefined ? { tlsClient: { ca: options.tlsCa } } : {}),
      ...(hal.log ? { log: hal.log.child('transport') } : {}),
    });
    let locator: SipLocator | undefined;
    if (settings.network.dnsServers.length) {
      const servers = settings.network.dnsServers.map((s) => {
        const m = /^(.*?)(?::(\d+))?$/.exec(s)!;
        return { address: m[1]!, port: m[2] ? Number(m[2]) : 53 };
      });
      const resolver = new DnsResolver({ network: hal.network, clock: hal.clock, random: hal.random, servers });
      locator = new SipLocator({ resolver, random: hal.random });
    }
    const ua = new UserAgent({
      clock: hal.clock,
      random: hal.random,
      crypto: hal.crypto,
      transport,
      host: options.address === '0.0.0.0' ? (hal.network.localAddresses()[0] ?? '127.0.0.1') : options.address,
      product: options.product ?? PRODUCT,
      admission: new Admission(hal.clock),
      ...(locator ? { locator } : {}),
      ...(hal.log ? { log: hal.log.child('ua') } : {}),
    });
    const app = new PhoneApp(options, ua);
    app.services = startServices(app);
    for (const r of app.registrations) r?.start();
    app.#watchNetwork();
    return app;
  }

  /** The settings in force (the phone's, once it exists: keys may have changed DND or volumes). */
  get settings(): Settings {
    return this.phone ? this.phone.settings : this.#options.settings;
  }

  /** Runs fn after every change of the phone's state (screen, tones, calls). */
  onPhoneChange(fn: () => void): void {
    this.#changeListeners.push(fn);
  }

  press(key: Key): void {
    this.phone.press(key);
  }

  screen(): Screen {
    return renderScreen(this.phone, this.hal.clock.now(), this.hal.clock.wallTime());
  }

  /** Account of a line and the transport it registers over. */
  account(line: number): { account: Account; protocol: Protocol } | undefined {
    const account = this.#options.settings.accounts[line];
    return account ? { account, protocol: transportOf(account) } : undefined;
  }

  emit(event: AppEvent): void {
    this.#options.onEvent?.(event);
  }

  /** Unregisters every line (bounded by the transaction time-out) and closes the sockets. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#netTimer !== undefined) this.hal.clock.clearTimer(this.#netTimer);
    this.#control?.shutdown?.();
    this.services?.stop();
    this.phone.dispose();
    await Promise.all(this.registrations.map((r) => r?.stop()));
    this.ua.close();
    this.ua.transport.close();
  }

  /**
   * Registers again at once when the machine's addresses change (a cable or Wi-Fi drop and return, a new DHCP lease),
   * instead of waiting for the next refresh or retry: the network lessons of other phones.
   */
  #watchNetwork(): void {
    const { clock, network } = this.hal;
    let last = network.localAddresses().join(' ');
    const check = (): void => {
      if (this.#stopped) return;
      const now = network.localAddresses().join(' ');
      if (now !== last) {
        last = now;
        this.log.info(`network addresses changed (${now || 'none'}); registering again`);
        if (now) for (const r of this.registrations) r?.networkChanged();
      }
      this.#netTimer = clock.setTimer(NETWORK_CHECK_MS, check);
    };
    this.#netTimer = clock.setTimer(NETWORK_CHECK_MS, check);
  }

  #registration(line: number, account: Account, s: RegistrationState): void {
    const label = `${account.user}@${account.domain}`;
    switch (s.state) {
      case 'registered':
        this.phone.handle({ type: 'registration', line, state: 'registered' });
        return this.emit({ type: 'registered', line, account: label, expires: s.expires, contact: this.registrations[line]?.contact ?? '' });
      case 'failed':
        this.phone.handle({ type: 'registration', line, state: 'failed', status: s.status, reason: s.reason });
        return this.emit({ type: 'registration-failed', line, account: label, status: s.status, reason: s.reason });
      case 'registering':
        return this.phone.handle({ type: 'registration', line, state: 'registering' });
      case 'unregistered':
        this.phone.handle({ type: 'registration', line, state: 'none' });
        return this.emit({ type: 'unregistered', line, account: label });
    }
  }
}

/** Call control for a phone without the calls layer: every attempt fails with a message. */
function noCalls(app: PhoneApp): CallControl {
  let next = 1;
  const refuse = (): void => app.emit({ type: 'error', message: 'calls are not available in this build' });
  return {
    place: () => {
      const id = next++;
      refuse();
      app.hal.clock.setTimer(0, () => app.phone.handle({ type: 'ended', call: id, status: 503, reason: 'Calls not available' }));
      return id;
    },
    answer: refuse, reject: refuse, redirect: refuse, hangup: refuse, hold: refuse, resume: refuse, dtmf: refuse, mute: refuse,
    blindTransfer: refuse, attendedTransfer: refuse, conference: refuse,
  };
}
