/** `xsphone parse [--verbose] FILE...`: checks captured SIP messages, one JSON line per file. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { check } from '../../src/sip/validate.js';
import type { SipMessage, Via } from '../../src/sip/message.js';
import { isSipUri, isTelUri } from '../../src/sip/uri.js';

const USAGE = `usage: xsphone parse [--verbose] FILE...

Parses each file as one SIP message (as a UDP datagram: without Content-Length the rest of the
file is the body), checks every header and prints one JSON line per file:
  {"file","ok","kind","method"|"status","callId","errors":[...],"response":N}
"response" is the status a user agent would answer an invalid request with.

options:
  -v, --verbose  also print the Request-URI parts and the top Via
  -h, --help     show this help

exit status: 0 all valid, 1 some invalid, 2 a file could not be read or bad options
`;

type Line = Record<string, unknown>;

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Call-ID of a message the parser rejected, found by a plain text scan so the line still names the call. */
function scanCallId(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 16384)));
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'call-id' || name === 'i') return line.slice(colon + 1).trim();
  }
  return undefined;
}

function uriParts(m: SipMessage): Line | undefined {
  if (m.kind !== 'request') return undefined;
  const u = safe(() => m.uri);
  if (u === undefined) return undefined;
  if (isSipUri(u)) return { scheme: u.scheme, user: u.user ?? null, host: u.host, port: u.port ?? null };
  if (isTelUri(u)) return { scheme: u.scheme, user: u.number, host: null, port: null };
  return { scheme: u.scheme, user: null, host: null, port: null };
}

function viaParts(v: Via | undefined): Line | undefined {
  if (v === undefined) return undefined;
  return {
    transport: v.transport, host: v.host, port: v.port ?? null, branch: v.branch ?? null,
    received: v.received ?? null, rport: v.rport === undefined ? null : v.rport === null ? true : v.rport,
  };
}

function describe(file: string, bytes: Uint8Array, verbose: boolean): Line {
  const r = check(bytes);
  const m = r.message;
  const line: Line = { file, ok: r.ok };
  if (m) {
    line['kind'] = m.kind;
    if (m.kind === 'request') line['method'] = m.method;
    else line['status'] = m.status;
    line['callId'] = safe(() => m.callId) ?? scanCallId(bytes) ?? null;
  } else {
    // The start line or framing was rejected: still say what the message claims to be.
    const first = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 256))).replace(/^[\r\n]+/, '').split(/[\r\n]/)[0]!;
    if (/^SIP\//i.test(first)) {
      line['kind'] = 'response';
      const code = /^\S+ (\d+)/.exec(first);
      if (code) line['status'] = Number(code[1]);
    } else if (/^\S+ /.test(first)) {
      line['kind'] = 'request';
      line['method'] = first.slice(0, first.indexOf(' '));
    }
    line['callId'] = scanCallId(bytes) ?? null;
  }
  line['errors'] = r.errors.map((e) => e.message);
  if (r.status !== undefined) line['response'] = r.status;
  if (verbose && m) {
    const uri = uriParts(m);
    if (uri) line['uri'] = uri;
    const via = viaParts(safe(() => m.via[0]));
    if (via) line['via'] = via;
  }
  return line;
}

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    process.stderr.write(`xsphone parse: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) {
    process.stderr.write(`xsphone parse: no FILE given\n\n${USAGE}`);
    return 2;
  }
  const verbose = parsed.values.verbose === true;
  let code = 0;
  for (const file of parsed.positionals) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      process.stdout.write(JSON.stringify({ file, ok: false, callId: null, errors: [`cannot read file: ${err.code ?? err.message}`] }) + '\n');
      code = 2;
      continue;
    }
    const line = describe(file, bytes, verbose);
    process.stdout.write(JSON.stringify(line) + '\n');
    if (!line['ok'] && code === 0) code = 1;
  }
  return code;
}
