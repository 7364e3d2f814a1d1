// RFC 4475 torture messages, one row per file of ../shared/corpus/rfc4475: the verdict the RFC gives
// (§3.1.1 valid, §3.1.2 invalid, §3.2–3.4 transaction/application layer) and the values it describes.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { check } from '../../../src/sip/validate.js';
import type { SipMessage, SipRequest, SipResponse, Contact } from '../../../src/sip/message.js';
import { isSipUri } from '../../../src/sip/uri.js';
import type { SipUri } from '../../../src/sip/uri.js';
import { multipartParts } from '../../../src/sip/multipart.js';
import { parseMessage } from '../../../src/sip/parser/index.js';

const DIR = new URL('../../../../../shared/corpus/rfc4475/', import.meta.url);
const dec = new TextDecoder();

type Values = (t: ExecutionContext, m: SipMessage, bytes: Uint8Array) => void;
/** valid: parses and validates, with values checked. invalid: the defect (error text) and UAS status (undefined: response, dropped). */
type Row =
  | { file: string; section: string; valid: true; values: Values }
  | { file: string; section: string; valid: false; defect: RegExp; status: number | undefined; values?: Values };

const req = (m: SipMessage): SipRequest => m as SipRequest;
const res = (m: SipMessage): SipResponse => m as SipResponse;
const sip = (u: unknown): SipUri => {
  if (!isSipUri(u as SipUri)) throw new Error('not a SIP URI');
  return u as SipUri;
};
const contacts = (m: SipMessage): Contact[] => m.contact as Contact[];
const extra = (m: SipMessage): Record<string, any> => m as unknown as Record<string, any>;

const ROWS: Row[] = [
  // §3.1.1 valid messages
  { file: 'wsinv.dat', section: '3.1.1.1', valid: true, values: (t, m) => {
    t.is(req(m).method, 'INVITE');
    t.is(sip(req(m).uri).user, 'vivekg');
    t.deepEqual(sip(req(m).uri).params, { unknownparam: null });
    t.is(m.to.params['tag'], '1918181833n');
    t.is(m.from.displayName, 'J Rosenberg \\"');
    t.is(m.from.params['tag'], '98asjd8');
    t.is(m.maxForwards, 68);
    t.deepEqual(m.cseq, { seq: 9, method: 'INVITE' });
    t.deepEqual(m.via.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'], ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'], ['UDP', '192.168.255.111', 'z9hG4bK30239']]);
    t.is(m.header('NewFangledHeader'), 'newfangled value continued newfangled value');
    t.is(m.header('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    t.is(m.header('Subject'), '');
    t.is(contacts(m)[0]!.displayName, 'Quoted string ""');
    t.deepEqual(contacts(m)[0]!.params, { newparam: 'newvalue', secondparam: null, q: '0.33' });
    t.is(m.route.length, 1);
    t.is(m.body.length, 150);
  } },
  { file: 'intmeth.dat', section: '3.1.1.2', valid: true, values: (t, m) => {
    t.is(req(m).method, "!interesting-Method0123456789_*+`.%indeed'~");
    t.is(m.cseq.method, req(m).method);
    const u = sip(req(m).uri);
    t.is(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    t.is(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    t.is(m.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    t.is(m.from.displayName, "token1~` token2'+_ token3*%!.-");
    t.is(m.from.params["fromparam''~+*_!.-%"], 'работающий');
    t.is(m.from.params['tag'], "_token~1'+`*%!-.");
    t.is(m.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    t.is(m.maxForwards, 255);
    t.is(m.header("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  } },
  { file: 'esc01.dat', section: '3.1.1.3', valid: true, values: (t, m) => {
    t.is(sip(req(m).uri).user, 'sips:user@example.com');
    t.is(sip(m.to.uri).user, 'user');
    t.is(sip(m.from.uri).user, 'I have spaces');
    t.is(sip(contacts(m)[0]!.uri).user, 'caller');
    t.deepEqual(sip(contacts(m)[0]!.uri).params, { lr: null, name: 'value%41' });
    t.is(m.contentType!.subtype, 'sdp');
  } },
  { file: 'escnull.dat', section: '3.1.1.4', valid: true, values: (t, m) => {
    t.is(sip(m.to.uri).user, 'null-\x00-null');
    t.deepEqual(contacts(m).map((c) => sip(c.uri).user), ['\x00', '\x00\x00']);
  } },
  { file: 'esc02.dat', section: '3.1.1.5', valid: true, values: (t, m) => {
    t.is(req(m).method, 'RE%47IST%45R');
    t.is(m.to.displayName, '%Z%45');
    t.is(m.via[0]!.branch, 'z9hG4bK209%fzsnel234');
    t.is(contacts(m).length, 2, 'C%6Fntact is another header');
    t.is(m.header('C%6Fntact'), '<sip:alias2@host2.example.com>');
  } },
  { file: 'lwsdisp.dat', section: '3.1.1.6', valid: true, values: (t, m) => {
    t.is(m.from.displayName, 'caller');
    t.is(sip(m.from.uri).user, 'caller');
  } },
  { file: 'longreq.dat', section: '3.1.1.7', valid: true, values: (t, m) => {
    t.is(m.via.length, 34);
    t.is(m.via[33]!.received, '192.0.2.5');
    t.is(m.callId.length, 141);
    t.is(m.from.params['tag']!.length, 155);
    t.is(sip(m.to.uri).port, 6000);
    t.is(m.body.length, 150);
  } },
  { file: 'dblreq.dat', section: '3.1.1.8', valid: true, values: (t, m) => {
    t.is(req(m).method, 'REGISTER');
    t.is(m.callId, 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    t.is(m.body.length, 0, 'the second message in the datagram is ignored');
  } },
  { file: 'semiuri.dat', section: '3.1.1.9', valid: true, values: (t, m) => {
    t.is(sip(req(m).uri).user, 'user;par=u@example.net');
    t.deepEqual(sip(req(m).uri).params, {});
    t.is(extra(m)['accept'].length, 6);
  } },
  { file: 'transports.dat', section: '3.1.1.10', valid: true, values: (t, m) => {
    t.deepEqual(m.via.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  } },
  { file: 'mpart01.dat', section: '3.1.1.11', valid: true, values: (t, m) => {
    t.is(m.body.length, 553);
    const parts = multipartParts(m);
    t.deepEqual(parts.map((p) => `${p.contentType.type}/${p.contentType.subtype}`), ['text/plain', 'application/octet-stream']);
    t.is(dec.decode(parts[0]!.body), 'Hello');
    t.is(parts[1]!.body[0], 0x30, 'DER SEQUENCE');
  } },
  { file: 'unreason.dat', section: '3.1.1.12', valid: true, values: (t, m) => {
    t.is(res(m).status, 200);
    t.is(res(m).reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  } },
  { file: 'noreason.dat', section: '3.1.1.13', valid: true, values: (t, m) => {
    t.is(res(m).status, 100);
    t.is(res(m).reason, '');
  } },
  // §3.1.2 invalid messages
  { file: 'badinv01.dat', section: '3.1.2.1', valid: false, defect: /bad Via: empty parameter/, status: 400,
    values: (t, _m, b) => t.true(check(b).errors.some((e) => /bad Contact/.test(e.message))) },
  { file: 'clerr.dat', section: '3.1.2.2', valid: false, defect: /Content-Length 9999 larger than/, status: 400 },
  { file: 'ncl.dat', section: '3.1.2.3', valid: false, defect: /bad Content-Length: "-999"/, status: 400 },
  { file: 'scalar02.dat', section: '3.1.2.4', valid: false, defect: /CSeq: sequence number too large/, status: 400,
    values: (t, _m, b) => {
      const msgs = check(b).errors.map((e) => e.message).join('|');
      t.regex(msgs, /Max-Forwards: value out of range/);
      t.regex(msgs, /Expires: value out of range/);
    } },
  { file: 'scalarlg.dat', section: '3.1.2.5', valid: false, defect: /CSeq: sequence number too large/, status: undefined,
    values: (t, _m, b) => {
      const msgs = check(b).errors.map((e) => e.message).join('|');
      t.regex(msgs, /Retry-After/);
      t.regex(msgs, /Warning: warn-code must be 3 digits/);
    } },
  { file: 'quotbal.dat', section: '3.1.2.6', valid: false, defect: /unterminated quoted string in To/, status: 400 },
  { file: 'ltgtruri.dat', section: '3.1.2.7', valid: false, defect: /Request-URI: enclosed in <>/, status: 400 },
  { file: 'lwsruri.dat', section: '3.1.2.8', valid: false, defect: /Request-URI: contains whitespace/, status: 400 },
  { file: 'lwsstart.dat', section: '3.1.2.9', valid: false, defect: /Request-Line: extra whitespace/, status: 400 },
  { file: 'trws.dat', section: '3.1.2.10', valid: false, defect: /trailing whitespace after SIP-Version/, status: 400 },
  { file: 'escruri.dat', section: '3.1.2.11', valid: false, defect: /Request-URI: contains escaped headers/, status: 400 },
  { file: 'baddate.dat', section: '3.1.2.12', valid: false, defect: /bad Date: time zone must be GMT/, status: 400 },
  { file: 'regbadct.dat', section: '3.1.2.13', valid: false, defect: /bad Contact: URI with '\?' must be enclosed in <>/, status: 400 },
  { file: 'badaspec.dat', section: '3.1.2.14', valid: false, defect: /bad To: whitespace inside <>/, status: 400 },
  { file: 'baddn.dat', section: '3.1.2.15', valid: false, defect: /bad From: display name .* must be quoted/, status: 400 },
  { file: 'badvers.dat', section: '3.1.2.16', valid: false, defect: /SIP version not supported: SIP\/7\.0/, status: 505 },
  { file: 'mismatch01.dat', section: '3.1.2.17', valid: false, defect: /CSeq method INVITE does not match the Request-Line method OPTIONS/, status: 400 },
  { file: 'mismatch02.dat', section: '3.1.2.18', valid: false, defect: /CSeq method INVITE does not match .* NEWMETHOD/, status: 501 },
  { file: 'bigcode.dat', section: '3.1.2.19', valid: false, defect: /status code is not 3 digits/, status: undefined },
  // §3.2 transaction layer: a branch that is only the magic cookie; we fall back to RFC 2543 matching
  { file: 'badbranch.dat', section: '3.2.1', valid: true, values: (t, m) => t.is(m.via[0]!.branch, 'z9hG4bK') },
  // §3.3 application layer
  { file: 'insuf.dat', section: '3.3.1', valid: false, defect: /Missing Required Header Fields: To, From, Call-ID/, status: 400 },
  { file: 'unkscm.dat', section: '3.3.2', valid: false, defect: /Unsupported URI Scheme: nobodyknowsthisscheme/, status: 416,
    values: (t, m) => t.is(req(m).uri.scheme, 'nobodyknowsthisscheme') },
  { file: 'novelsc.dat', section: '3.3.3', valid: false, defect: /Unsupported URI Scheme: soap\.beep/, status: 416 },
  { file: 'unksm2.dat', section: '3.3.4', valid: true, values: (t, m) => {
    t.deepEqual([m.to.uri.scheme, m.from.uri.scheme, contacts(m)[0]!.uri.scheme], ['isbn', 'http', 'name']);
  } },
  { file: 'bext01.dat', section: '3.3.5', valid: false, defect: /Bad Extension: nothingSupportsThis, nothingSupportsThisEither/, status: 420,
    values: (t, m) => t.deepEqual(extra(m)['proxyRequire'], ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']) },
  { file: 'invut.dat', section: '3.3.6', valid: false, defect: /Unsupported Media Type: application\/unknownformat/, status: 415 },
  { file: 'regaut01.dat', section: '3.3.7', valid: true, values: (t, m) => {
    t.is(extra(m)['authorization'][0].scheme, 'NoOneKnowsThisScheme');
    t.is(extra(m)['authorization'][0].params['opaque-data'], 'here');
  } },
  { file: 'multi01.dat', section: '3.3.8', valid: false, defect: /multiple .* header fields/, status: 400,
    values: (t, _m, b) => {
      const msgs = check(b).errors.map((e) => e.message).join('|');
      for (const h of ['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards']) t.true(msgs.includes(`multiple ${h} header fields`), h);
    } },
  { file: 'mcl01.dat', section: '3.3.9', valid: false, defect: /multiple Content-Length headers/, status: 400 },
  { file: 'bcast.dat', section: '3.3.10', valid: true, values: (t, m) => t.is(m.via[1]!.host, '255.255.255.255') },
  { file: 'zeromf.dat', section: '3.3.11', valid: true, values: (t, m) => t.is(m.maxForwards, 0) },
  { file: 'cparam01.dat', section: '3.3.12', valid: true, values: (t, m) => {
    t.deepEqual(contacts(m)[0]!.params, { unknownparam: null }, 'a header parameter of the addr-spec');
    t.deepEqual(sip(contacts(m)[0]!.uri).params, {});
  } },
  { file: 'cparam02.dat', section: '3.3.13', valid: true, values: (t, m) => {
    t.deepEqual(contacts(m)[0]!.params, {});
    t.deepEqual(sip(contacts(m)[0]!.uri).params, { unknownparam: null }, 'a URI parameter inside <>');
  } },
  { file: 'regescrt.dat', section: '3.3.14', valid: true, values: (t, m) => {
    t.deepEqual(sip(contacts(m)[0]!.uri).headers, { Route: '<sip:sip.example.com>' });
  } },
  { file: 'sdp01.dat', section: '3.3.15', valid: false, defect: /Not Acceptable: Accept does not allow application\/sdp/, status: 406 },
  // §3.4 backward compatibility
  { file: 'inv2543.dat', section: '3.4.1', valid: true, values: (t, m) => {
    t.is(m.via[0]!.branch, undefined);
    t.is(m.maxForwards, undefined);
    t.is(m.contentLength, undefined);
    t.is(dec.decode(m.body).split('\r\n')[0], 'v=0', 'body is the rest of the datagram');
    t.is(sip(m.from.uri).params['user'], 'phone');
  } },
];

test('the table has one row per corpus file (49)', (t) => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.dat')).sort();
  t.is(files.length, 49);
  t.deepEqual(ROWS.map((r) => r.file).sort(), files);
});

for (const row of ROWS) {
  test(`${row.file} (RFC 4475 §${row.section}) is ${row.valid ? 'valid' : 'invalid'}`, (t) => {
    const bytes = new Uint8Array(readFileSync(new URL(row.file, DIR)));
    const r = check(bytes);
    if (row.valid) {
      t.deepEqual(r.errors.map((e) => e.message), []);
      t.true(r.ok);
      t.is(r.status, undefined);
      row.values(t, r.message!, bytes);
      return;
    }
    t.false(r.ok);
    t.true(r.errors.length > 0);
    t.regex(r.errors[0]!.message, row.defect);
    t.is(r.status, row.status);
    t.false(/[\r\n]/.test(r.errors[0]!.message), 'usable as a reason phrase');
    if (row.values) row.values(t, r.message ?? parseMessage(bytes), bytes);
  });
}
