import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../../../shared/corpus/rfc4475/', import.meta.url));
const BIN = join(ROOT, 'bin', 'xsphone.js');

function run(...args: string[]): { code: number | null; lines: any[]; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'parse', ...args], { encoding: 'utf8', timeout: 30_000 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return { code: r.status, lines, stdout: r.stdout, stderr: r.stderr };
}

test('valid files: one JSON line each, exit 0', (t) => {
  const r = run(join(CORPUS, 'wsinv.dat'), join(CORPUS, 'noreason.dat'));
  t.is(r.code, 0, r.stderr);
  t.is(r.lines.length, 2);
  t.deepEqual(r.lines[0], { file: join(CORPUS, 'wsinv.dat'), ok: true, kind: 'request', method: 'INVITE', callId: 'wsinv.ndaksdj@192.0.2.1', errors: [] });
  t.like(r.lines[1], { ok: true, kind: 'response', status: 100, callId: 'noreason.asndj203insdf99223ndf', errors: [] });
});

test('invalid files: the defect and the response a UAS would send, exit 1', (t) => {
  const r = run(join(CORPUS, 'zeromf.dat'), join(CORPUS, 'badvers.dat'), join(CORPUS, 'unkscm.dat'), join(CORPUS, 'lwsstart.dat'), join(CORPUS, 'scalarlg.dat'));
  t.is(r.code, 1);
  t.is(r.lines.length, 5);
  t.true(r.lines[0].ok);
  t.like(r.lines[1], { ok: false, kind: 'request', method: 'OPTIONS', callId: 'badvers.31417@c.example.com', response: 505 });
  t.regex(r.lines[1].errors[0], /version not supported/);
  t.like(r.lines[2], { ok: false, response: 416 });
  t.like(r.lines[3], { ok: false, kind: 'request', method: 'INVITE', response: 400 });
  t.like(r.lines[4], { ok: false, kind: 'response', status: 503 });
  t.false('response' in r.lines[4], 'a bad response is dropped, not answered');
});

test('--verbose adds the Request-URI and top Via parts', (t) => {
  const r = run('--verbose', join(CORPUS, 'longreq.dat'));
  t.is(r.code, 0);
  t.deepEqual(r.lines[0].uri, { scheme: 'sip', user: 'user', host: 'example.com', port: null });
  t.deepEqual(r.lines[0].via, { transport: 'TCP', host: 'sip33.example.com', port: null, branch: null, received: null, rport: null });
  const dir = mkdtempSync(join(tmpdir(), 'xsphone-parse-'));
  const f = join(dir, 'msg.sip');
  writeFileSync(f, 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKx;received=192.0.2.7;rport=6000\r\n' +
    'From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: v1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
  const v = run('-v', f);
  t.deepEqual(v.lines[0].via, { transport: 'UDP', host: '10.0.0.1', port: 5062, branch: 'z9hG4bKx', received: '192.0.2.7', rport: 6000 });
  t.false('uri' in v.lines[0]);
});

test('an unreadable file still gets a line, exit 2', (t) => {
  const r = run(join(CORPUS, 'wsinv.dat'), '/nonexistent/file.sip');
  t.is(r.code, 2);
  t.is(r.lines.length, 2);
  t.like(r.lines[1], { file: '/nonexistent/file.sip', ok: false });
  t.regex(r.lines[1].errors[0], /cannot read file: ENOENT/);
});

test('--help, no files and bad options', (t) => {
  const h = run('--help');
  t.is(h.code, 0);
  t.regex(h.stdout, /usage: xsphone parse \[--verbose\] FILE/);
  const none = run();
  t.is(none.code, 2);
  t.regex(none.stderr, /no FILE given/);
  const bad = run('--frobnicate', 'x');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Unknown option '--frobnicate'/);
});

test('every corpus file gets a verdict line', (t) => {
  const files = ['wsinv', 'intmeth', 'esc01', 'mpart01', 'badinv01', 'clerr', 'ncl', 'bigcode', 'insuf', 'sdp01'].map((f) => join(CORPUS, f + '.dat'));
  const r = run(...files);
  t.is(r.lines.length, files.length);
  t.deepEqual(r.lines.map((l) => l.ok), [true, true, true, true, false, false, false, false, false, false]);
  t.deepEqual(r.lines.map((l) => l.response ?? null), [null, null, null, null, 400, 400, 400, null, 400, 406]);
});
