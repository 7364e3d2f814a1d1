/** `xsphone load` options: parsed and checked into FleetOptions, with the usage text. Loopback targets only. */
import { parseArgs } from 'node:util';
import type { LogLevel } from '../../src/log.js';
import { isSipUri, parseUri, type SipUri } from '../../src/sip/uri.js';
import type { FleetOptions } from './fleet.js';

export const USAGE = `usage: xsphone load --phones N --registrar SIP-URI --cps R --duration S --hold S [options]

A fleet of simulated phones in this process: they register, call each other at R calls/s (each answered by another
phone of the fleet), talk G.711 RTP both ways for the hold time, hang up, and report what SIP load tests measure.

  --phones N             phones (accounts) to run, 1..5000 (required)
  --user-pattern P       account user names, %d = number (default load%d)
  --first N              number of the first account (default 0)
  --password P           digest password of every account (default loadpw)
  --registrar URI        e.g. sip:127.0.0.1:5070 (required; loopback only)
  --transport T          udp or tcp (default udp)
  --cps R                calls placed per second, 0.1..500 (required)
  --duration S           seconds of placing calls, 1..3600 (required)
  --hold S               seconds an answered call lasts, 0..3600 (required)
  --target URI           call this URI instead of the fleet's phones (loopback only)
  --media on|off         G.711 RTP/RTCP on every call leg (default on)
  --register-rate R      REGISTERs started per second (default 200)
  --answer-after MS      callee answers this long after ringing (default 0)
  --media-tick MS        one timer runs the 20 ms frames of all legs, ticking every MS, 1..20 (default 20; 0: one Node timer per leg)
  --report FILE.json     also write the report as JSON
  --log-level L          error, warn, info or debug (default: none)

Exit status: 0 run complete (see the report for failures), 1 registrar unreachable or no phone registered, 2 bad options.
Ctrl-C stops placing calls, hangs up, unregisters every phone and prints the report.
`;

export class UsageError extends Error {}

export interface LoadCommand {
  fleet: FleetOptions;
  reportFile?: string;
}

function num(name: string, v: string | undefined, min: number, max: number, integer: boolean, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not '${v}'`);
  }
  return n;
}

/** Loopback only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function loopbackUri(name: string, text: string): SipUri {
  let uri;
  try {
    uri = parseUri(text);
  } catch (e) {
    throw new UsageError(`--${name}: not a SIP URI: '${text}' (${(e as Error).message})`);
  }
  if (!isSipUri(uri) || uri.scheme !== 'sip') throw new UsageError(`--${name} must be a sip: URI, not '${text}'`);
  if (!isLoopback(uri.host)) throw new UsageError(`--${name} must be on loopback (127.0.0.0/8, ::1, localhost): '${text}'`);
  return uri;
}

/** Parses the command line; null when --help was asked for. Throws UsageError. */
export function parseLoadArgs(args: string[]): LoadCommand | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        phones: { type: 'string' }, 'user-pattern': { type: 'string' }, first: { type: 'string' }, password: { type: 'string' },
        registrar: { type: 'string' }, transport: { type: 'string' }, cps: { type: 'string' }, duration: { type: 'string' },
        hold: { type: 'string' }, target: { type: 'string' }, media: { type: 'string' }, 'register-rate': { type: 'string' },
        'answer-after': { type: 'string' }, 'media-tick': { type: 'string' }, report: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return null;
  const phones = num('phones', values.phones, 1, 5000, true);
  const pattern = values['user-pattern'] ?? 'load%d';
  if (pattern.split('%d').length !== 2 || !/^[A-Za-z0-9._~%-]+$/.test(pattern)) {
    throw new UsageError(`--user-pattern must hold %d once and only user characters, not '${pattern}'`);
  }
  if (values.registrar === undefined) throw new UsageError('--registrar is required');
  const registrar = loopbackUri('registrar', values.registrar);
  const transport = values.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') throw new UsageError(`--transport must be udp or tcp, not '${transport}'`);
  const media = values.media ?? 'on';
  if (media !== 'on' && media !== 'off') throw new UsageError(`--media must be on or off, not '${media}'`);
  const level = values['log-level'];
  if (level !== undefined && !['error', 'warn', 'info', 'debug'].includes(level)) throw new UsageError(`--log-level must be error, warn, info or debug, not '${level}'`);
  const cps = num('cps', values.cps, 0.1, 500, false);
  const durationS = num('duration', values.duration, 1, 3600, false);
  const target = values.target === undefined ? undefined : loopbackUri('target', values.target);
  if (!target && phones < 2) throw new UsageError('--phones must be at least 2 without --target (calls go between phones)');
  const fleet: FleetOptions = {
    phones,
    userPattern: pattern,
    first: num('first', values.first, 0, 1_000_000, true, 0),
    password: values.password ?? 'loadpw',
    registrar,
    transport,
    cps,
    durationS,
    holdS: num('hold', values.hold, 0, 3600, false),
    ...(target ? { target: values.target! } : {}),
    media: media === 'on',
    registerRate: num('register-rate', values['register-rate'], 1, 10_000, false, 200),
    answerMs: num('answer-after', values['answer-after'], 0, 60_000, true, 0),
    mediaTickMs: num('media-tick', values['media-tick'], 0, 20, true, 20),
    address: '127.0.0.1',
    ...(level ? { logLevel: level as LogLevel } : {}),
  };
  return { fleet, ...(values.report !== undefined ? { reportFile: values.report } : {}) };
}
