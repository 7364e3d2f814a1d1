// Property: for generated URIs (any characters in user, password, parameters and headers), formatUri
// escapes what each part's grammar forbids, so parseUri(formatUri(u)) gives u back and uriEquals holds.
import test from 'ava';
import type { Params } from '../../../src/sip/message.js';
import { formatNameAddr, parseNameAddr } from '../../../src/sip/headers/name-addr.js';
import { formatUri, parseUri, type SipUri, type TelUri, uriEquals } from '../../../src/sip/uri.js';
import { rng } from './mutation.js';

const CHARS = ['a', 'Z', '0', '-', '_', '.', '!', '~', '*', "'", '(', ')', '&', '=', '+', '$', ',', ';', '?', '/', ':', '@', '%', '[', ']', ' ', '"', '<', '>', '#', '\\', '\u0000', '\t', 'é', '€', '😀', '\u00ff'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function text(next: () => number, min: number, max: number): string {
  const n = min + Math.floor(next() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += pick(next, CHARS);
  return s;
}

const HOSTS = ['example.com', 'a.b-c.d', 'x1', 'host.', '192.0.2.1', '10.0.0.255', '2001:db8::1', '::1', '::ffff:192.0.2.128', 'fe80:0:0:0:0:0:0:1'];

function genSip(next: () => number): SipUri {
  const u: SipUri = { scheme: next() < 0.7 ? 'sip' : 'sips', host: pick(next, HOSTS), params: {}, headers: {} };
  if (next() < 0.8) {
    u.user = text(next, 1, 8);
    if (next() < 0.3) u.password = text(next, 0, 6);
  }
  if (next() < 0.5) u.port = Math.floor(next() * 65536);
  const np = Math.floor(next() * 4);
  for (let i = 0; i < np; i++) {
    const name = text(next, 1, 5).toLowerCase();
    if (name === '__proto__') continue;
    u.params[name] = next() < 0.3 ? null : text(next, 1, 6);
  }
  const nh = Math.floor(next() * 3);
  for (let i = 0; i < nh; i++) {
    const name = text(next, 1, 5);
    if (name === '__proto__' || Object.prototype.hasOwnProperty.call(u.headers, name)) continue;
    u.headers[name] = text(next, 0, 6);
  }
  return u;
}

test('SIP URIs: parseUri(formatUri(u)) deep-equals u', (t) => {
  const next = rng(42);
  for (let i = 0; i < 600; i++) {
    const u = genSip(next);
    const s = formatUri(u);
    t.notThrows(() => parseUri(s), s);
    const back = parseUri(s);
    t.deepEqual(back, u, s);
    t.true(uriEquals(back, u), s);
    t.is(formatUri(back), s);
  }
});

test('SIP URIs inside name-addrs survive formatNameAddr / parseNameAddr with any display name', (t) => {
  const next = rng(7);
  for (let i = 0; i < 300; i++) {
    const uri = genSip(next);
    const params: Params = { tag: text(next, 1, 6) };
    const displayName = next() < 0.5 ? undefined : text(next, 0, 8);
    const na = displayName === undefined ? { uri, params } : { displayName, uri, params };
    const s = formatNameAddr(na);
    const back = parseNameAddr(s, 'From');
    t.deepEqual(back.uri, uri, s);
    t.deepEqual(back.params, params, s);
    t.is(back.displayName, displayName, s);
  }
});

test('tel URIs: generated numbers round-trip and compare equal without visual separators', (t) => {
  const next = rng(3);
  const SEP = ['-', '.', '(', ')'];
  for (let i = 0; i < 300; i++) {
    let digits = '';
    let shown = '';
    const n = 1 + Math.floor(next() * 12);
    for (let k = 0; k < n; k++) {
      const d = String(Math.floor(next() * 10));
      digits += d;
      shown += d + (next() < 0.3 ? pick(next, SEP) : '');
    }
    const global = next() < 0.6;
    const params: Params = global ? {} : { 'phone-context': 'example.com' };
    if (next() < 0.3) params['ext'] = '12' + pick(next, SEP) + '3';
    const u: TelUri = { scheme: 'tel', number: (global ? '+' : '') + shown, params };
    const s = formatUri(u);
    const back = parseUri(s);
    t.deepEqual(back, u, s);
    const plain = parseUri('tel:' + (global ? '+' : '') + digits + s.slice(4 + u.number.length).replace(/[-.()]/g, (c) => c));
    t.true(uriEquals(back, plain), s);
  }
});
