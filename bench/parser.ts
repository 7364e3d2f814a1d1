// Parser benchmark on Node: xsphone's SIP parser beside sip.js, JsSIP and sip (npm) on the same mix
// of messages, each starting from the Buffer a socket delivers (string parsers include the decode)
// and reading Call-ID, CSeq number, From tag and top Via branch. Prints messages/s and xsphone's
// ratio to the fastest of the others (target: at least 3x).
// Usage: node dist/bench/parser.js [--seconds S]   (S: measuring time per parser and round)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { MIX, sameFields, type Fields } from './messages.js';
import { fixed, grouped, median, table, verdict } from './report.js';

const require = createRequire(import.meta.url);

export interface Contender {
  name: string;
  /** Parses one received datagram and reads the four fields. */
  read(bytes: Buffer): Fields;
  /** Whether the parser accepts the datagram as a SIP message (does not throw or return nothing). */
  accepts(bytes: Buffer): boolean;
}

/** RFC 4475 §3.1.2: messages a SIP element must not accept as they are. */
const RFC4475_INVALID = ['badinv01', 'clerr', 'ncl', 'scalar02', 'scalarlg', 'quotbal', 'ltgtruri', 'lwsruri', 'lwsstart',
  'trws', 'escruri', 'baddate', 'regbadct', 'badaspec', 'baddn', 'badvers', 'mismatch01', 'mismatch02', 'bigcode'];

function accepted(parse: () => unknown): boolean {
  try {
    const message = parse();
    return message !== undefined && message !== null;
  } catch {
    return false;
  }
}

interface XsphoneMessage {
  callId: string;
  cseq: { seq: number };
  fromTag: string | undefined;
  branch: string | undefined;
}

/** xsphone's parser, if it has been built (src/sip/parser/index.ts exports parseMessage). */
async function loadXsphone(): Promise<Contender | string> {
  const url = new URL('../src/sip/parser/index.js', import.meta.url);
  try {
    const parser = (await import(url.href)) as { parseMessage?: (bytes: Uint8Array) => XsphoneMessage };
    const parseMessage = parser.parseMessage;
    if (typeof parseMessage !== 'function') return 'src/sip/parser/index.js exports no parseMessage';
    const validate = (await import(new URL('../src/sip/validate.js', import.meta.url).href)) as {
      check?: (bytes: Uint8Array) => { ok: boolean };
    };
    const check = validate.check;
    return {
      name: 'xsphone',
      // The parser indexes lazily; check() parses and validates every header, as a UAS front end does.
      accepts: (bytes) => (check ? check(bytes).ok : accepted(() => parseMessage(bytes))),
      read: (bytes) => {
        const m = parseMessage(bytes);
        return { callId: m.callId, cseq: m.cseq.seq, fromTag: m.fromTag ?? '', branch: m.branch ?? '' };
      },
    };
  } catch (error) {
    return `cannot load ${url.pathname}: ${(error as Error).message}`;
  }
}

async function loadOthers(): Promise<Contender[]> {
  const sip = require('sip') as { parse(data: Buffer): any };
  const jssip = require('jssip/lib/Parser.js') as { parseMessage(data: string, ua: unknown): any };
  const sipjs = (await import('sip.js/lib/core/messages/parser.js')) as { Parser: { parseMessage(data: string, logger: unknown): any } };
  const { LoggerFactory } = (await import('sip.js/lib/core/log/logger-factory.js')) as { LoggerFactory: new () => { getLogger(c: string): unknown } };
  const logger = new LoggerFactory().getLogger('bench');
  return [
    {
      name: 'sip (npm)',
      accepts: (bytes) => accepted(() => sip.parse(bytes)),
      // sip.parse decodes the Buffer itself (latin1), as its UDP transport does.
      read: (bytes) => {
        const m = sip.parse(bytes);
        return { callId: m.headers['call-id'], cseq: m.headers.cseq.seq, fromTag: m.headers.from.params.tag,
          branch: m.headers.via[0].params.branch };
      },
    },
    {
      name: 'JsSIP',
      accepts: (bytes) => accepted(() => jssip.parseMessage(bytes.toString(), undefined)),
      read: (bytes) => {
        const m = jssip.parseMessage(bytes.toString(), undefined);
        return { callId: m.call_id, cseq: m.cseq, fromTag: m.from_tag, branch: m.via_branch };
      },
    },
    {
      name: 'sip.js',
      accepts: (bytes) => accepted(() => sipjs.Parser.parseMessage(bytes.toString(), logger)),
      read: (bytes) => {
        const m = sipjs.Parser.parseMessage(bytes.toString(), logger);
        return { callId: m.callId, cseq: m.cseq, fromTag: m.fromTag, branch: m.viaBranch };
      },
    },
  ];
}

const datagrams = MIX.map((m) => ({ ...m, bytes: Buffer.from(m.text) }));

/** Checks a contender reads the right fields from every message; returns the first mistake. */
function check(c: Contender): string | undefined {
  for (const m of datagrams) {
    let got: Fields;
    try {
      got = c.read(m.bytes);
    } catch (error) {
      return `${m.name}: threw ${(error as Error).message}`;
    }
    if (!sameFields(got, m.expected)) return `${m.name}: read ${JSON.stringify(got)}`;
  }
  return undefined;
}

let sink = 0;

/** Parses the mix over and over for about `seconds`; returns messages per second. */
function measure(c: Contender, seconds: number): number {
  let count = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    for (let r = 0; r < 16; r++) {
      for (const m of datagrams) sink += c.read(m.bytes).cseq;
    }
    count += 16 * datagrams.length;
    now = performance.now();
  }
  return count / ((now - start) / 1000);
}

export async function main(argv: string[]): Promise<number> {
  const seconds = Number(argv[argv.indexOf('--seconds') + 1]) || 0.5;
  const rounds = 5;
  const xsphone = await loadXsphone();
  const contenders = [...(typeof xsphone === 'string' ? [] : [xsphone]), ...(await loadOthers())];
  console.log(`Parser benchmark (Node ${process.version}): ${datagrams.length} messages `
    + `(${datagrams.map((m) => `${m.name} ${m.bytes.length} B`).join(', ')})`);
  console.log('each: bytes -> parse -> Call-ID, CSeq, From tag, top Via branch\n');
  if (typeof xsphone === 'string') console.log(`xsphone: not measured (${xsphone})\n`);

  const valid = contenders.filter((c) => {
    const mistake = check(c);
    if (mistake) console.log(`${c.name}: wrong result, not measured (${mistake})`);
    return mistake === undefined;
  });
  // Warm up every parser before measuring any, then interleave rounds so drift hits all alike.
  for (const c of valid) measure(c, Math.max(0.3, seconds));
  const samples = new Map<Contender, number[]>(valid.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) for (const c of valid) samples.get(c)!.push(measure(c, seconds));
  const rates = new Map(valid.map((c) => [c, median(samples.get(c)!)]));

  const others = valid.filter((c) => c.name !== 'xsphone');
  const fastest = others.reduce<Contender | undefined>((best, c) => (!best || rates.get(c)! > rates.get(best)! ? c : best), undefined);
  const xs = valid.find((c) => c.name === 'xsphone');
  console.log(table(['parser', 'messages/s', 'µs/message', 'vs xsphone'], valid.map((c) => [
    c.name, grouped(rates.get(c)!), fixed(1e6 / rates.get(c)!, 2),
    xs ? `${fixed(rates.get(xs)! / rates.get(c)!, 1)}x` : '-',
  ])));
  console.log(`(median of ${rounds} rounds of ${seconds} s each; checksum ${sink % 1000})\n`);
  if (xs && fastest) {
    const ratio = rates.get(xs)! / rates.get(fastest)!;
    console.log(verdict(ratio >= 3, `xsphone / fastest other (${fastest.name})`, `${fixed(ratio, 2)}x`, '>= 3x'));
  } else {
    console.log(verdict(false, 'xsphone / fastest other', 'not measured', '>= 3x'));
  }
  strictness(contenders);
  return 0;
}

/** How many of RFC 4475's invalid messages each parser lets through. */
function strictness(contenders: Contender[]): void {
  const dir = new URL('../../../shared/corpus/rfc4475/', import.meta.url);
  if (!fs.existsSync(dir)) {
    console.log(`\n(strictness not measured: no ${dir.pathname})`);
    return;
  }
  const files = RFC4475_INVALID.map((name) => ({ name, bytes: fs.readFileSync(new URL(`${name}.dat`, dir)) }));
  // JsSIP and sip.js log every message they drop.
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
  Object.assign(console, { log() {}, warn() {}, error() {}, info() {}, debug() {} });
  const through = new Map(contenders.map((c) => [c, files.filter((f) => c.accepts(f.bytes)).map((f) => f.name)]));
  Object.assign(console, saved);
  console.log(`\nStrictness: of the ${files.length} invalid messages of RFC 4475 §3.1.2, each parser lets through`);
  for (const c of contenders) {
    const names = through.get(c)!;
    console.log(`  ${c.name.padEnd(10)} ${String(names.length).padStart(2)}  ${names.join(' ')}`);
  }
  const xs = contenders.find((c) => c.name === 'xsphone');
  if (xs) console.log(verdict(through.get(xs)!.length === 0, 'invalid RFC 4475 messages xsphone accepts', String(through.get(xs)!.length), '0'));
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
