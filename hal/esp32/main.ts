/**
 * The device's main module (creation.main in manifest.json): builds the HALs on Moddable, joins Wi-Fi (or
 * opens the set-up access point), starts the phone, zero-touch provisioning, update checks and the trial
 * health check of a freshly updated image.
 */
import config from 'mc/config';
import Net from 'net';
import { isKey } from '../../src/phone/keys.js';
import { PhoneApp } from '../../src/phone/app.js';
import type { Phone } from '../../src/phone/phone.js';
import { createSipCalls } from '../../src/phone/sip-calls.js';
import { renderScreen } from '../../src/phone/screen.js';
import { SettingsStore } from '../../src/phone/settings-store.js';
import { base64Decode } from '../../src/media/srtp/base64.js';
import { Provisioner } from '../../src/provision/provisioner.js';
import { phoneHealth, TrialHealth } from '../../src/update/health.js';
import { Updater } from '../../src/update/updater.js';
import type { Clock } from '../clock.js';
import type { DisplayScreen } from '../display.js';
import { I2sAudioInput, I2sAudioOutput } from './audio.js';
import { Esp32Clock } from './clock.js';
import { Esp32Crypto } from './crypto.js';
import { PocoDisplay } from './display.js';
import { Esp32HttpClient } from './http.js';
import { MatrixKeypad } from './keypad.js';
import { Esp32Network } from './net.js';
import { Esp32Ota } from './ota.js';
import { Esp32Random } from './random.js';
import { DeviceStorage, FileRecordStorage, preferenceStorage } from './storage.js';
import { joinWifi, savedCredentials, startSetupAccessPoint } from './wifi.js';

interface DeviceConfig {
  version: string;
  /** Update manifest URL and the Ed25519 public key updates are signed with (base64, 32 bytes). */
  updateUrl?: string;
  updatePublicKey?: string;
  /** Provisioning URL used when the set-up page gave none. */
  provisionUrl?: string;
  /** Seconds a new image has to reach idle and register before it is rolled back. */
  healthSeconds?: number;
  /**
   * Speaker-to-microphone coupling at full volume, dB, measured on the hardware design (absent: the microphone
   * cannot hear the speaker, no echo suppression). 0 is the safe guess: echo as loud as what is played.
   */
  echoCouplingDb?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function simpleScreen(lines: string[]): DisplayScreen {
  return { status: { line: 'xsphone', registration: '', time: '', icons: [] }, lines, softKeys: ['', '', '', ''] };
}

async function boot(): Promise<void> {
  const cfg = config as unknown as DeviceConfig;
  const clock = new Esp32Clock();
  const crypto = new Esp32Crypto();
  const display = new PocoDisplay();
  const ota = new Esp32Ota(cfg.version);
  display.render(simpleScreen([`xsphone ${cfg.version}`, ota.running().confirmed ? 'Starting' : 'Starting (new version on trial)']));

  const creds = savedCredentials();
  if (!creds) {
    startSetupAccessPoint();
    display.render(simpleScreen(['Set-up: join the Wi-Fi', 'network xsphone-XXXX and', 'open http://192.168.4.1/', '']));
    return;
  }
  let ip: string;
  try {
    ip = await joinWifi(creds);
  } catch (e) {
    startSetupAccessPoint((e as Error).message);
    display.render(simpleScreen(['Wi-Fi failed:', creds.ssid, 'Set-up network open:', 'http://192.168.4.1/']));
    return;
  }

  const network = new Esp32Network();
  const http = new Esp32HttpClient();
  const storage = new DeviceStorage(preferenceStorage(), new FileRecordStorage());
  const store = new SettingsStore(storage);
  const loaded = store.load();
  let message: string | undefined = loaded.problem;
  let messageTimer: ReturnType<Clock['setTimer']> | undefined;

  let phone: Phone | undefined;
  const health = new TrialHealth({ ota, clock, timeoutMs: (cfg.healthSeconds ?? 300) * 1000 });
  const render = () => {
    if (!phone) return;
    const s = renderScreen(phone, clock.now(), clock.wallTime());
    display.render(message ? { ...s, lines: [s.lines[0], s.lines[1], s.lines[2], message] } : s);
    health.report(phoneHealth(phone));
  };
  const show = (text: string) => {
    message = text;
    if (messageTimer !== undefined) clock.clearTimer(messageTimer);
    messageTimer = clock.setTimer(10_000, () => {
      message = undefined;
      render();
    });
    render();
  };

  // The whole phone: SIP transport, user agent, registrations, calls with media, and the key/screen state machine.
  let app: PhoneApp;
  try {
    app = await PhoneApp.start({
      hal: {
        clock, random: new Esp32Random(), crypto, network, storage, audioInput: new I2sAudioInput(), audioOutput: new I2sAudioOutput(),
        ...(cfg.echoCouplingDb !== undefined ? { echoCouplingDb: cfg.echoCouplingDb } : {}),
      },
      settings: loaded.settings,
      address: ip,
      calls: createSipCalls,
      onScreen: render,
      onSettingsChange: (s) => void store.save(s),
    });
  } catch (e) {
    display.render(simpleScreen(['Phone could not start:', (e as Error).message, '', '']));
    return;
  }
  phone = app.phone;

  const keypad = new MatrixKeypad(clock);
  keypad.start((e) => {
    if (!phone) return;
    if (e.type === 'hook') {
      if (e.offHook !== phone.offHook) phone.press('hook');
    } else if (e.type === 'down' && isKey(e.key)) phone.press(e.key);
  });

  const provisioner = new Provisioner({
    http,
    clock,
    store,
    mac: Net.get('MAC'),
    configuredUrl: () => creds.provisionUrl ?? cfg.provisionUrl,
    dhcpOption66: () => network.dhcpOption66(),
    onResult: (r) => {
      if (r.status === 'applied') phone?.applySettings(r.settings);
      if (r.status !== 'no-server' && r.status !== 'unchanged') show(r.message);
    },
  });
  provisioner.start();

  const key = cfg.updatePublicKey ? base64Decode(cfg.updatePublicKey) : undefined;
  if (cfg.updateUrl && key) {
    const updater = new Updater({ http, ota, crypto, manifestUrl: cfg.updateUrl, publicKey: key, onProgress: (p) => show(p.message) });
    const check = () => {
      clock.setTimer(DAY_MS, check);
      if (ota.running().confirmed && phone && phone.calls.length === 0) void updater.run();
    };
    clock.setTimer(60_000, check);
  }
  render();
}

void boot();
