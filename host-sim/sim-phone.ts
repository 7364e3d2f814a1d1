/**
 * One simulated phone on the host: the host HAL (sockets, clock, crypto, WAV audio, files) under the same PhoneApp
 * the device runs. Used by `xsphone sim`, `xsphone start` (the web page) and the tests.
 */
import { mkdirSync } from 'node:fs';
import { HostClock } from '../hal/host/clock.js';
import { HostCrypto } from '../hal/host/crypto.js';
import { HostNetwork } from '../hal/host/net.js';
import { HostRandom } from '../hal/host/random.js';
import { FileStorage } from '../hal/host/storage.js';
import { WavAudioInput, WavAudioOutput, toneSamples } from '../hal/host/audio.js';
import { loadPhoneAudio } from '../hal/host/wav.js';
import type { Network } from '../hal/net.js';
import { Logger, type LogLevel } from '../src/log.js';
import { redact } from '../src/sip/auth/redact.js';
import { PhoneApp, type AppEvent } from '../src/phone/app.js';
import { createSipCalls } from '../src/phone/sip-calls.js';
import type { Key } from '../src/phone/keys.js';
import { defaultSettings, validateSettings, type Settings } from '../src/phone/settings.js';
import type { PhoneHost, PhoneSnapshot } from './phone-host.js';
import { AudioBridge } from './audio-bridge.js';

export interface SimPhoneConfig {
  /** Name in the web page and the control API. */
  id: string;
  settings: Settings;
  address: string;
  sipPort: number;
  audioIn?: string;
  audioOut?: string;
  /** Folder for settings and call history (absent: kept in memory only). */
  dataDir?: string;
  logLevel?: LogLevel;
  /** Log lines go here (stderr by default). */
  logSink?: (line: string) => void;
  network?: Network;
  /** PEM CA bundle for TLS servers (sips:, transport=tls). */
  tlsCa?: string;
}

export class SimPhone implements PhoneHost {
  readonly id: string;
  readonly label: string;
  readonly app: PhoneApp;
  #listeners = new Set<(change: { kind: 'state' } | { kind: 'event'; event: Record<string, unknown> }) => void>();
  /** The phone's microphone and speaker: the default input (tone or WAV) until a client attaches (the web page's audio button). */
  readonly audio: AudioBridge;
  #output: WavAudioOutput | undefined;

  private constructor(id: string, label: string, app: PhoneApp, output: WavAudioOutput | undefined, audio: AudioBridge) {
    this.id = id;
    this.label = label;
    this.app = app;
    this.#output = output;
    this.audio = audio;
  }

  static async start(config: SimPhoneConfig, onEvent?: (e: AppEvent) => void): Promise<SimPhone> {
    const clock = new HostClock();
    const sink = config.logSink ?? ((line: string) => process.stderr.write(`${line}\n`));
    const log = new Logger(config.id, (level, area, message) => sink(`${level} ${area}: ${redact(message)}`), config.logLevel ?? 'warn');
    let audioInput: WavAudioInput;
    if (config.audioIn) {
      const audio = loadPhoneAudio(config.audioIn);
      // What was done to the file is worth saying whatever the log level: the user chose that file.
      if (audio.message.includes('converted') || audio.message.includes('warning')) sink(`note ${config.id}: ${audio.message}`);
      else log.info(audio.message);
      audioInput = new WavAudioInput(clock, audio.samples, { atEnd: 'loop', message: audio.message });
    } else {
      audioInput = new WavAudioInput(clock, toneSamples([440], 1000, 0.2), { atEnd: 'loop', message: '440 Hz test tone' });
    }
    const output = config.audioOut ? new WavAudioOutput(config.audioOut) : undefined;
    const audio = new AudioBridge(clock, audioInput, output);
    let storage: FileStorage | undefined;
    if (config.dataDir) {
      mkdirSync(config.dataDir, { recursive: true });
      storage = new FileStorage(config.dataDir);
    }
    let self: SimPhone | undefined;
    const app = await PhoneApp.start({
      hal: {
        clock, random: new HostRandom(), crypto: new HostCrypto(), network: config.network ?? new HostNetwork(), log,
        audioInput: audio.input, audioOutput: audio.output, ...(storage ? { storage } : {}),
      },
      settings: config.settings,
      address: config.address,
      sipPort: config.sipPort,
      ...(config.tlsCa !== undefined ? { tlsCa: config.tlsCa } : {}),
      onEvent: (e) => {
        onEvent?.(e);
        if (self) self.#emit({ kind: 'event', event: e as unknown as Record<string, unknown> });
      },
      calls: createSipCalls,
      onScreen: () => {
        if (self) self.#emit({ kind: 'state' });
      },
    });
    const account = config.settings.accounts[0];
    self = new SimPhone(config.id, account?.label ?? config.id, app, output, audio);
    return self;
  }

  press(key: Key): void {
    this.app.press(key);
  }

  snapshot(): PhoneSnapshot {
    const now = this.app.hal.clock.now();
    return {
      id: this.id,
      label: this.label,
      screen: this.app.screen(),
      tone: this.app.phone.tone,
      calls: this.app.phone.calls.map((c) => ({
        id: c.id, phase: c.phase, remote: c.remote, direction: c.direction,
        ...(c.connectedAt !== undefined ? { connectedMs: now - c.connectedAt } : {}),
      })),
      history: this.app.phone.history.entries,
    };
  }

  subscribe(listener: (change: { kind: 'state' } | { kind: 'event'; event: Record<string, unknown> }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: { kind: 'state' } | { kind: 'event'; event: Record<string, unknown> }): void {
    for (const l of this.#listeners) l(change);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    this.#output?.stop();
  }
}

/** Settings for a simple one-account phone from command-line style options. */
export function settingsFor(o: {
  user: string; domain: string; password?: string; registrar?: string; transport?: 'udp' | 'tcp' | 'tls';
  autoAnswerMs?: number; incoming?: Settings['incoming'];
}): Settings {
  const raw = {
    accounts: [{
      label: o.user, user: o.user, domain: o.domain, password: o.password ?? '', transport: o.transport ?? 'udp',
      ...(o.registrar ? { registrar: o.registrar } : {}),
    }],
    ...(o.autoAnswerMs !== undefined ? { autoAnswer: { enabled: true, delayMs: o.autoAnswerMs } } : {}),
    ...(o.incoming ? { incoming: o.incoming } : {}),
  };
  const v = validateSettings(raw);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.value;
}

export { defaultSettings };
