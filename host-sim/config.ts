/**
 * The simulator's configuration: which phones to run and where the web page listens. `xsphone start` without
 * --config runs the embedded default, alice and bob calling each other peer-to-peer on loopback.
 *
 * {
 *   "http": { "address": "127.0.0.1", "port": 8080 },
 *   "phones": [
 *     { "id": "alice", "address": "127.0.0.1", "sipPort": 5062, "audioIn": "speech.wav", "settings": { ...phone settings... } }
 *   ]
 * }
 * Phone settings are those of src/phone/settings.ts (accounts, contacts, codecs, dialPlan, ...).
 */
import { readFileSync } from 'node:fs';
import { validateSettings, type Settings } from '../src/phone/settings.js';

export interface PhoneConfig {
  id: string;
  address: string;
  sipPort: number;
  audioIn?: string;
  audioOut?: string;
  settings: Settings;
}

export interface SimConfig {
  http: { address: string; port: number };
  phones: PhoneConfig[];
}

export class ConfigError extends Error {}

/** alice (101) and bob (102) on loopback, each in the other's contacts; calls ring only when addressed to them. */
export function defaultConfig(httpPort = 8080, alicePort = 5062, bobPort = 5064): SimConfig {
  const phone = (id: string, ext: string, port: number, other: string, otherExt: string, otherPort: number): PhoneConfig => {
    const v = validateSettings({
      accounts: [{ label: `${id} (${ext})`, user: id, domain: '127.0.0.1', password: '' }],
      contacts: [{ name: other, number: otherExt, uri: `sip:${other}@127.0.0.1:${otherPort}` }],
      speedDial: { '1': `sip:${other}@127.0.0.1:${otherPort}` },
      blf: [{ label: other, uri: `sip:${other}@127.0.0.1:${otherPort}` }],
      incoming: 'own-user',
      network: { sipPort: port },
    });
    if (!v.ok) throw new Error(`default settings invalid: ${v.errors.join('; ')}`);
    return { id, address: '127.0.0.1', sipPort: port, settings: v.value };
  };
  return {
    http: { address: '127.0.0.1', port: httpPort },
    phones: [phone('alice', '101', alicePort, 'bob', '102', bobPort), phone('bob', '102', bobPort, 'alice', '101', alicePort)],
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|0\.0\.0\.0|::)$/;

/** Reads and validates a configuration file; every problem is reported with its place in the file. */
export function loadConfig(file: string): SimConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return validateConfig(json, file);
}

export function validateConfig(json: unknown, file = 'config'): SimConfig {
  const errors: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(json)) throw new ConfigError(`${file}: must be a JSON object with "phones"`);
  for (const k of Object.keys(json)) if (k !== 'http' && k !== 'phones') errors.push(`${k}: is not a known key (use "http" and "phones")`);
  const http = { address: '127.0.0.1', port: 8080 };
  if (json.http !== undefined) {
    if (!obj(json.http)) errors.push('http: must be an object');
    else {
      if (json.http.address !== undefined) {
        if (typeof json.http.address !== 'string') errors.push('http.address: must be a string');
        else http.address = json.http.address;
      }
      if (json.http.port !== undefined) {
        const p = json.http.port;
        if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) errors.push('http.port: must be a port number 0-65535');
        else http.port = p;
      }
    }
  }
  const phones: PhoneConfig[] = [];
  if (!Array.isArray(json.phones) || json.phones.length === 0) errors.push('phones: must be a non-empty list');
  else {
    const ids = new Set<string>();
    json.phones.forEach((p: unknown, i: number) => {
      const at = `phones[${i}]`;
      if (!obj(p)) return void errors.push(`${at}: must be an object`);
      const id = p.id;
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) errors.push(`${at}.id: must be a name of letters, digits, - or _`);
      else if (ids.has(id)) errors.push(`${at}.id: '${id}' is used twice`);
      else ids.add(id);
      const address = p.address ?? '127.0.0.1';
      if (typeof address !== 'string' || !LOOPBACK.test(address) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) errors.push(`${at}.address: must be an IP address`);
      const sipPort = p.sipPort ?? 0;
      if (typeof sipPort !== 'number' || !Number.isInteger(sipPort) || sipPort < 0 || sipPort > 65535) errors.push(`${at}.sipPort: must be a port number 0-65535`);
      for (const k of ['audioIn', 'audioOut'] as const) if (p[k] !== undefined && typeof p[k] !== 'string') errors.push(`${at}.${k}: must be a file name`);
      const v = validateSettings(p.settings ?? {});
      if (!v.ok) for (const e of v.errors) errors.push(`${at}.${e}`);
      else if (v.value.accounts.length === 0) errors.push(`${at}.settings.accounts: a phone needs at least one account`);
      if (v.ok && typeof id === 'string') {
        phones.push({
          id, address: address as string, sipPort: sipPort as number, settings: v.value,
          ...(typeof p.audioIn === 'string' ? { audioIn: p.audioIn } : {}),
          ...(typeof p.audioOut === 'string' ? { audioOut: p.audioOut } : {}),
        });
      }
    });
  }
  if (errors.length) throw new ConfigError(`${file} has ${errors.length} problem${errors.length > 1 ? 's' : ''}:\n  ${errors.join('\n  ')}`);
  return { http, phones };
}
