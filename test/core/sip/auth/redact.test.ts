import test from 'ava';
import { Logger } from '../../../../src/log.js';
import { redact, redactingSink } from '../../../../src/sip/auth/redact.js';

test('digest responses are masked, the rest of the header kept', (t) => {
  const line = 'Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", ' +
    'response="e12506f3ea6fd330c0df35df8b32370f", algorithm=MD5, cnonce="0a1b", qop=auth, nc=00000001';
  const out = redact(line);
  t.false(out.includes('e12506f3ea6fd330c0df35df8b32370f'));
  t.is(out, line.replace('e12506f3ea6fd330c0df35df8b32370f', '***'));
  t.is(redact('Authentication-Info: rspauth="deadbeef", cnonce="x"'), 'Authentication-Info: rspauth="***", cnonce="x"');
  t.is(redact('response=abcdef0123, nc=1'), 'response=***, nc=1');
});

test('passwords in JSON, settings, command lines and SIP URIs are masked', (t) => {
  t.is(redact('{"user":"alice","password":"p\\"w,d","port":5060}'), '{"user":"alice","password":"***","port":5060}');
  t.is(redact('account.1.password=hunter2\naccount.1.user=alice'), 'account.1.password=***\naccount.1.user=alice');
  t.is(redact('Password: "correct horse"'), 'Password: "***"');
  t.is(redact('xsphone sim --user alice --password hunter2 --sip-port 5062'), 'xsphone sim --user alice --password *** --sip-port 5062');
  t.is(redact('xsphone sim --password=hunter2'), 'xsphone sim --password=***');
  t.is(redact('To: <sip:alice:hunter2@example.com;transport=tcp>'), 'To: <sip:alice:***@example.com;transport=tcp>');
  t.is(redact('ha1=5f4dcc3b5aa765d61d8327deb882cf99'), 'ha1=***');
});

test('text without secrets is left exactly as it was', (t) => {
  const msg = 'REGISTER sip:example.com:5060;transport=udp SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5062\r\n' +
    'Contact: <sip:alice@192.0.2.1:5062>\r\nWWW-Authenticate: Digest realm="example.com", nonce="abc", qop="auth"\r\n';
  t.is(redact(msg), msg);
});

test('a logger on a redacting sink never passes a password on', (t) => {
  const lines: string[] = [];
  const log = new Logger('sip', redactingSink((level, area, message) => lines.push(`${level} ${area} ${message}`)), 'debug');
  log.debug('sent REGISTER with Authorization: Digest username="alice", response="0123abcd"');
  log.info('account password=hunter2 saved');
  t.deepEqual(lines, [
    'debug sip sent REGISTER with Authorization: Digest username="alice", response="***"',
    'info sip account password=*** saved',
  ]);
});
