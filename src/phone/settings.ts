/** The phone's settings: schema, defaults and validation with messages a person can act on. */
import { compileDigitMap, DialPlanError } from './dial-plan.js';

export type Transport = 'udp' | 'tcp' | 'tls';
export type Codec = 'PCMU' | 'PCMA';
export type DtmfMode = 'rfc4733' | 'info' | 'inband';
export type Country = 'US' | 'UK' | 'DE' | 'FR';
/** Who may make this phone ring (no ghost calls): only the registrar/proxy, the own user's address, or anyone. */
export type IncomingPolicy = 'registrar-only' | 'own-user' | 'any';

export interface Account {
  /** Label shown on the screen and line key. */
  label: string;
  user: string;
  /** Authentication user when it differs from `user`. */
  authUser?: string;
  password: string;
  domain: string;
  displayName?: string;
  /** Registrar URI, e.g. sip:pbx.example.com; absent = peer-to-peer (no registration). */
  registrar?: string;
  outboundProxy?: string;
  backupRegistrar?: string;
  transport: Transport;
  expires: number;
  voicemail?: string;
  enabled: boolean;
  /**
   * Behind a NAT, register the public address the registrar reports (Via received/rport) instead of the private
   * one (default true; false for a registrar or SBC that handles NAT itself and wants the private Contact).
   */
  rewriteContact?: boolean;
}

export interface Contact {
  name: string;
  /** What a person dials to reach the contact (an extension or a full number). */
  number: string;
  /** Where the call goes when the number is dialled, e.g. sip:bob@192.0.2.7:5062 (peer-to-peer). */
  uri?: string;
}

/** A busy-lamp-field key: a colleague whose phone state (idle, ringing, busy) shows on a lamp. */
export interface BlfEntry {
  label: string;
  /** The colleague's address, e.g. sip:alice@pbx.example.com (subscribed to with the dialog event package). */
  uri: string;
}

/** How many BLF keys the phone has (blf1 ... blf8). */
export const MAX_BLF = 8;

export interface Settings {
  version: 1;
  accounts: Account[];
  codecs: Codec[];
  dtmfMode: DtmfMode;
  ringTone: string;
  volumes: { ring: number; speaker: number; handset: number };
  dialPlan: { map: string; interDigitMs: number };
  network: { sipPort: number; rtpPortMin: number; rtpPortMax: number; dnsServers: string[] };
  forward: { always?: string; busy?: string; noAnswer?: string; noAnswerSeconds: number };
  dnd: boolean;
  callWaiting: boolean;
  autoAnswer: { enabled: boolean; delayMs: number };
  incoming: IncomingPolicy;
  country: Country;
  speedDial: Record<string, string>;
  contacts: Contact[];
  historySize: number;
  /** Busy-lamp-field keys, in key order. */
  blf: BlfEntry[];
  /** PUBLISH our own presence (available, on the phone, do not disturb); default on when a line has a registrar. */
  publishPresence: boolean;
}

export const DEFAULT_DIAL_MAP = '[2-9]xxxxxxxxx|1[2-9]xxxxxxxxx|011x.|x.';

export function defaultSettings(): Settings {
  return {
    version: 1,
    accounts: [],
    codecs: ['PCMU', 'PCMA'],
    dtmfMode: 'rfc4733',
    ringTone: 'classic',
    volumes: { ring: 6, speaker: 6, handset: 6 },
    dialPlan: { map: DEFAULT_DIAL_MAP, interDigitMs: 4000 },
    network: { sipPort: 5060, rtpPortMin: 16384, rtpPortMax: 16482, dnsServers: [] },
    forward: { noAnswerSeconds: 20 },
    dnd: false,
    callWaiting: true,
    autoAnswer: { enabled: false, delayMs: 0 },
    incoming: 'registrar-only',
    country: 'US',
    speedDial: {},
    contacts: [],
    historySize: 50,
    blf: [],
    publishPresence: false,
  };
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;

class Checker {
  errors: string[] = [];
  fail(path: string, message: string): void {
    this.errors.push(`${path}: ${message}`);
  }
  obj(v: unknown, path: string): Obj | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    return v as Obj;
  }
  str(o: Obj, key: string, path: string, fallback: string | undefined, required = false): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.fail(`${path}.${key}`, 'is required');
      return fallback;
    }
    if (typeof v !== 'string') {
      this.fail(`${path}.${key}`, 'must be a string');
      return fallback;
    }
    return v;
  }
  int(o: Obj, key: string, path: string, fallback: number, min: number, max: number): number {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return v;
  }
  bool(o: Obj, key: string, path: string, fallback: boolean): boolean {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') {
      this.fail(`${path}.${key}`, 'must be true or false');
      return fallback;
    }
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, path: string, fallback: T, allowed: readonly T[]): T {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  }
}

const USER_RE = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
const HOST_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const SIP_URI_RE = /^sips?:[^\s]+$/;

/** Validates settings (JSON from storage, a config file or provisioning); unknown keys are reported, not kept. */
export function validateSettings(input: unknown): Validation<Settings> {
  const c = new Checker();
  const d = defaultSettings();
  const root = c.obj(input, 'settings');
  if (!root) return { ok: false, errors: c.errors.length ? c.errors : ['settings: must be an object'] };
  const known = new Set(Object.keys(d));
  for (const k of Object.keys(root)) if (!known.has(k)) c.fail(`settings.${k}`, 'is not a known setting');
  if (root.version !== undefined && root.version !== 1) c.fail('settings.version', 'must be 1');

  const accounts: Account[] = [];
  if (root.accounts !== undefined) {
    if (!Array.isArray(root.accounts)) c.fail('settings.accounts', 'must be a list');
    else
      root.accounts.forEach((a, i) => {
        const p = `settings.accounts[${i}]`;
        const o = c.obj(a, p);
        if (!o) return;
        const user = c.str(o, 'user', p, '', true)!;
        if (user && !USER_RE.test(user)) c.fail(`${p}.user`, `'${user}' is not a valid SIP user name`);
        const domain = c.str(o, 'domain', p, '', true)!;
        if (domain && !HOST_RE.test(domain)) c.fail(`${p}.domain`, `'${domain}' is not a host name or address`);
        const account: Account = {
          label: c.str(o, 'label', p, user)!,
          user,
          password: c.str(o, 'password', p, '')!,
          domain,
          transport: c.oneOf(o, 'transport', p, 'udp', ['udp', 'tcp', 'tls'] as const),
          expires: c.int(o, 'expires', p, 3600, 60, 86400),
          enabled: c.bool(o, 'enabled', p, true),
        };
        if (!c.bool(o, 'rewriteContact', p, true)) account.rewriteContact = false;
        for (const key of ['authUser', 'displayName', 'voicemail'] as const) {
          const v = c.str(o, key, p, undefined);
          if (v !== undefined) account[key] = v;
        }
        for (const key of ['registrar', 'outboundProxy', 'backupRegistrar'] as const) {
          const v = c.str(o, key, p, undefined);
          if (v === undefined) continue;
          if (!SIP_URI_RE.test(v)) c.fail(`${p}.${key}`, `'${v}' must be a sip: or sips: URI`);
          account[key] = v;
        }
        accounts.push(account);
      });
  }

  let codecs = d.codecs;
  if (root.codecs !== undefined) {
    if (!Array.isArray(root.codecs) || root.codecs.length === 0 || root.codecs.some((x) => x !== 'PCMU' && x !== 'PCMA'))
      c.fail('settings.codecs', 'must be a non-empty list of PCMU and PCMA');
    else if (new Set(root.codecs).size !== root.codecs.length) c.fail('settings.codecs', 'lists a codec twice');
    else codecs = root.codecs as Codec[];
  }

  const vol = c.obj(root.volumes, 'settings.volumes') ?? {};
  const dp = c.obj(root.dialPlan, 'settings.dialPlan') ?? {};
  const net = c.obj(root.network, 'settings.network') ?? {};
  const fwd = c.obj(root.forward, 'settings.forward') ?? {};
  const aa = c.obj(root.autoAnswer, 'settings.autoAnswer') ?? {};

  const map = c.str(dp, 'map', 'settings.dialPlan', d.dialPlan.map)!;
  try {
    compileDigitMap(map);
  } catch (e) {
    if (e instanceof DialPlanError) c.fail('settings.dialPlan.map', e.message);
    else throw e;
  }
  const rtpPortMin = c.int(net, 'rtpPortMin', 'settings.network', d.network.rtpPortMin, 1024, 65534);
  const rtpPortMax = c.int(net, 'rtpPortMax', 'settings.network', d.network.rtpPortMax, 1025, 65535);
  if (rtpPortMax <= rtpPortMin) c.fail('settings.network.rtpPortMax', 'must be above rtpPortMin');
  let dnsServers = d.network.dnsServers;
  if (net.dnsServers !== undefined) {
    if (!Array.isArray(net.dnsServers) || net.dnsServers.some((s) => typeof s !== 'string' || !HOST_RE.test(s)))
      c.fail('settings.network.dnsServers', 'must be a list of addresses');
    else dnsServers = net.dnsServers as string[];
  }

  const forward: Settings['forward'] = {
    noAnswerSeconds: c.int(fwd, 'noAnswerSeconds', 'settings.forward', d.forward.noAnswerSeconds, 1, 300),
  };
  for (const key of ['always', 'busy', 'noAnswer'] as const) {
    const v = c.str(fwd, key, 'settings.forward', undefined);
    if (v !== undefined && v !== '') forward[key] = v;
  }

  const speedDial: Record<string, string> = {};
  const sd = c.obj(root.speedDial, 'settings.speedDial') ?? {};
  for (const [k, v] of Object.entries(sd)) {
    if (!/^[0-9]$/.test(k)) c.fail(`settings.speedDial.${k}`, 'speed-dial keys are the digits 0-9');
    else if (typeof v !== 'string' || !v) c.fail(`settings.speedDial.${k}`, 'must be a number or URI');
    else speedDial[k] = v;
  }
  const contacts: Contact[] = [];
  if (root.contacts !== undefined) {
    if (!Array.isArray(root.contacts)) c.fail('settings.contacts', 'must be a list');
    else
      root.contacts.forEach((x, i) => {
        const o = c.obj(x, `settings.contacts[${i}]`);
        if (!o) return;
        const name = c.str(o, 'name', `settings.contacts[${i}]`, '', true)!;
        const number = c.str(o, 'number', `settings.contacts[${i}]`, '', true)!;
        const uri = c.str(o, 'uri', `settings.contacts[${i}]`, undefined);
        if (uri !== undefined && !SIP_URI_RE.test(uri) && !uri.startsWith('tel:')) c.fail(`settings.contacts[${i}].uri`, `'${uri}' must be a sip:, sips: or tel: URI`);
        contacts.push(uri === undefined ? { name, number } : { name, number, uri });
      });
  }

  const blf: BlfEntry[] = [];
  if (root.blf !== undefined) {
    if (!Array.isArray(root.blf)) c.fail('settings.blf', 'must be a list of { label, uri }');
    else {
      if (root.blf.length > MAX_BLF) c.fail('settings.blf', `has ${root.blf.length} keys; the phone has ${MAX_BLF}`);
      root.blf.slice(0, MAX_BLF).forEach((x, i) => {
        const p = `settings.blf[${i}]`;
        const o = c.obj(x, p);
        if (!o) {
          if (x === undefined) c.fail(p, 'must be an object');
          return;
        }
        for (const k of Object.keys(o)) if (k !== 'label' && k !== 'uri') c.fail(`${p}.${k}`, 'is not a known setting (a BLF key has label and uri)');
        const uri = c.str(o, 'uri', p, '', true)!;
        if (uri && !SIP_URI_RE.test(uri)) c.fail(`${p}.uri`, `'${uri}' must be a sip: or sips: URI, e.g. sip:alice@pbx.example.com`);
        else if (uri && blf.some((b) => b.uri === uri)) c.fail(`${p}.uri`, `'${uri}' is already on another BLF key`);
        const fallback = /^sips?:([^@;>]+)@/.exec(uri)?.[1] ?? uri;
        const label = c.str(o, 'label', p, fallback)!;
        if (o['label'] !== undefined && label.trim() === '') c.fail(`${p}.label`, 'must not be empty');
        blf.push({ label, uri });
      });
    }
  }
  const anyRegistrar = accounts.some((a) => a.registrar !== undefined);

  const settings: Settings = {
    version: 1,
    accounts,
    codecs,
    dtmfMode: c.oneOf(root, 'dtmfMode', 'settings', d.dtmfMode, ['rfc4733', 'info', 'inband'] as const),
    ringTone: c.str(root, 'ringTone', 'settings', d.ringTone)!,
    volumes: {
      ring: c.int(vol, 'ring', 'settings.volumes', d.volumes.ring, 0, 10),
      speaker: c.int(vol, 'speaker', 'settings.volumes', d.volumes.speaker, 0, 10),
      handset: c.int(vol, 'handset', 'settings.volumes', d.volumes.handset, 0, 10),
    },
    dialPlan: { map, interDigitMs: c.int(dp, 'interDigitMs', 'settings.dialPlan', d.dialPlan.interDigitMs, 500, 30000) },
    network: { sipPort: c.int(net, 'sipPort', 'settings.network', d.network.sipPort, 0, 65535), rtpPortMin, rtpPortMax, dnsServers },
    forward,
    dnd: c.bool(root, 'dnd', 'settings', d.dnd),
    callWaiting: c.bool(root, 'callWaiting', 'settings', d.callWaiting),
    autoAnswer: {
      enabled: c.bool(aa, 'enabled', 'settings.autoAnswer', d.autoAnswer.enabled),
      delayMs: c.int(aa, 'delayMs', 'settings.autoAnswer', d.autoAnswer.delayMs, 0, 60000),
    },
    incoming: c.oneOf(root, 'incoming', 'settings', d.incoming, ['registrar-only', 'own-user', 'any'] as const),
    country: c.oneOf(root, 'country', 'settings', d.country, ['US', 'UK', 'DE', 'FR'] as const),
    speedDial,
    contacts,
    historySize: c.int(root, 'historySize', 'settings', d.historySize, 0, 500),
    blf,
    publishPresence: c.bool(root, 'publishPresence', 'settings', anyRegistrar),
  };
  return c.errors.length ? { ok: false, errors: c.errors } : { ok: true, value: settings };
}
