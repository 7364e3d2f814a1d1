// A subset of the RFC 4475 table (test/node/sip/rfc4475.test.ts) with the messages inlined, so the same
// verdicts are checked inside XS too. Messages are the RFC's, CRLF line ends restored.
import test from 'ava';
import { check } from '../../../src/sip/validate.js';
import type { SipRequest } from '../../../src/sip/message.js';

const crlf = (lines: string[]): Uint8Array => new TextEncoder().encode(lines.join('\r\n'));

const WSINV = crlf([
  'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0', 'TO :', ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
  'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>', '  ;', '  tag = 98asjd8', 'MaX-fOrWaRdS: 0068',
  'Call-ID: wsinv.ndaksdj@192.0.2.1', 'Content-Length   : 0', 'cseq: 0009', '  INVITE', 'Via  : SIP  /   2.0', ' /UDP',
  '    192.0.2.2;branch=390skdjuw', 's :', 'NewFangledHeader:   newfangled value', ' continued newfangled value',
  'UnknownHeaderWithUnusualValue: ;;,,;;,;', 'Route:', ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
  'v:  SIP  / 2.0  / TCP     spindle.example.com   ;', '  branch  =   z9hG4bK9ikj8  ,', ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
  ' z9hG4bK30239', 'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =', '      newvalue ;', '  secondparam ; q = 0.33', '', '',
]);

const base = (start: string, extra: string[] = [], to = 'To: sip:user@example.com', cseq = 'CSeq: 8 OPTIONS'): Uint8Array => crlf([
  start, to, 'From: sip:caller@example.net;tag=34525', 'Max-Forwards: 6', 'Call-ID: torture.1', cseq,
  'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw', ...extra, 'l: 0', '', '',
]);

test('wsinv (§3.1.1.1): LWS, folding, compact and odd-case names are all valid', (t) => {
  const r = check(WSINV);
  t.deepEqual(r.errors.map((e) => e.message), []);
  const m = r.message as SipRequest;
  t.is(m.to.params['tag'], '1918181833n');
  t.is(m.from.displayName, 'J Rosenberg \\"');
  t.is(m.maxForwards, 68);
  t.deepEqual(m.cseq, { seq: 9, method: 'INVITE' });
  t.deepEqual(m.via.map((v) => v.branch), ['390skdjuw', 'z9hG4bK9ikj8', 'z9hG4bK30239']);
  t.is(m.header('NewFangledHeader'), 'newfangled value continued newfangled value');
});

const INVALID: Array<[string, Uint8Array, RegExp, number]> = [
  ['lwsstart §3.1.2.9', base('OPTIONS  sip:user@example.com  SIP/2.0'), /extra whitespace/, 400],
  ['trws §3.1.2.10', base('OPTIONS sip:user@example.com SIP/2.0  '), /trailing whitespace/, 400],
  ['ltgtruri §3.1.2.7', base('OPTIONS <sip:user@example.com> SIP/2.0'), /enclosed in <>/, 400],
  ['escruri §3.1.2.11', base('OPTIONS sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0'), /escaped headers/, 400],
  ['badvers §3.1.2.16', base('OPTIONS sip:user@example.com SIP/7.0'), /version not supported/, 505],
  ['quotbal §3.1.2.6', base('OPTIONS sip:user@example.com SIP/2.0', [], 'To: "Mr. J. User <sip:j.user@example.com>'), /unterminated quoted string in To/, 400],
  ['badaspec §3.1.2.14', base('OPTIONS sip:user@example.com SIP/2.0', [], 'To: "Watson, Thomas" < sip:t.watson@example.org >'), /whitespace inside <>/, 400],
  ['baddn §3.1.2.15', base('OPTIONS sip:user@example.com SIP/2.0', [], 'To: Watson, Thomas <sip:t.watson@example.org>'), /must be quoted/, 400],
  ['mismatch01 §3.1.2.17', base('OPTIONS sip:user@example.com SIP/2.0', [], undefined, 'CSeq: 8 INVITE'), /does not match/, 400],
  ['mismatch02 §3.1.2.18', base('NEWMETHOD sip:user@example.com SIP/2.0', [], undefined, 'CSeq: 8 INVITE'), /does not match/, 501],
  ['scalar02 §3.1.2.4', base('OPTIONS sip:user@example.com SIP/2.0', [], undefined, 'CSeq: 36893488147419103232 OPTIONS'), /sequence number too large/, 400],
  ['unkscm §3.3.2', base('OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0'), /Unsupported URI Scheme/, 416],
  ['bext01 §3.3.5', base('OPTIONS sip:user@example.com SIP/2.0', ['Require: nothingSupportsThis']), /Bad Extension: nothingSupportsThis/, 420],
  ['multi01 §3.3.8', base('OPTIONS sip:user@example.com SIP/2.0', ['Call-ID: torture.2']), /multiple Call-ID/, 400],
  ['mcl01 §3.3.9', base('OPTIONS sip:user@example.com SIP/2.0', ['Content-Length: 5']), /multiple Content-Length/, 400],
];

for (const [name, bytes, defect, status] of INVALID) {
  test(`${name} is invalid: ${defect.source} -> ${status}`, (t) => {
    const r = check(bytes);
    t.false(r.ok);
    t.regex(r.errors[0]!.message, defect);
    t.is(r.status, status);
  });
}

test('zeromf (§3.3.11) and badbranch (§3.2.1) are accepted', (t) => {
  const zero = crlf(['OPTIONS sip:user@example.com SIP/2.0', 'To: sip:user@example.com', 'From: sip:caller@example.net;tag=3ghsd41',
    'Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas', 'CSeq: 39234321 OPTIONS', 'Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bK',
    'Max-Forwards: 0', 'Content-Length: 0', '', '']);
  const r = check(zero);
  t.true(r.ok);
  t.is(r.message!.maxForwards, 0);
  t.is(r.message!.via[0]!.branch, 'z9hG4bK');
});
