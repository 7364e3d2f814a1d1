import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../host-sim/config.js';
import { SimProcess, XSPHONE_BIN } from '../../support/sim-process.js';

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-pcap-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** SIP methods and status codes in order, one per message. */
function sipFlow(file: string): string[] {
  return tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method'])
    .trim().split('\n').filter(Boolean)
    .map((l) => {
      const [method, status, cseq] = l.split('|');
      return status ? `${status} ${cseq}` : method!;
    });
}

/** "src port -> dst port" of each RTP stream with its packet count. */
function rtpStreams(file: string): Map<string, number> {
  const rows = tshark(['-r', file, '-o', 'rtp.heuristic_rtp:TRUE', '-Y', 'rtp', '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport'])
    .trim().split('\n').filter(Boolean);
  const streams = new Map<string, number>();
  for (const r of rows) {
    const k = r.replace('\t', ' -> ');
    streams.set(k, (streams.get(k) ?? 0) + 1);
  }
  return streams;
}

function problems(file: string): string {
  return tshark(['-r', file, '-o', 'rtp.heuristic_rtp:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y', '_ws.malformed || _ws.expert.severity >= error']).trim();
}

/** The call's messages in order (retransmissions or a 100 Trying may come in between). */
function assertCall(t: import('ava').ExecutionContext, flow: string[]): void {
  const wanted = ['INVITE', '180 INVITE', '200 INVITE', 'ACK', 'BYE', '200 BYE'];
  let at = 0;
  for (const m of flow) if (m === wanted[at]) at++;
  t.is(at, wanted.length, `INVITE/180/200/ACK/BYE/200 in order in ${flow.join(', ')}`);
}

test('xsphone sim --pcap: each phone writes its call (SIP and RTP both ways) to a file tshark reads cleanly', async (t) => {
  const dir = tempDir(t);
  const [aFile, bFile] = [path.join(dir, 'alice.pcap'), path.join(dir, 'bob.pcap')];
  const bob = await SimProcess.start({ user: 'bob', autoAnswer: 300, extra: ['--pcap', bFile] });
  t.teardown(() => bob.kill());
  const alice = await SimProcess.start({ user: 'alice', call: `sip:bob@127.0.0.1:${bob.sipPort}`, hangupAfter: 1, extra: ['--pcap', aFile] });
  t.teardown(() => alice.kill());
  await alice.waitFor('ended', 15_000);
  await bob.waitFor('ended', 5000);
  // alice's call ends when she sends the BYE; its 200 OK may still be on its way: wait (bounded) until her file has it.
  const hasByeOk = () => {
    try {
      return sipFlow(aFile).includes('200 BYE');
    } catch {
      return false; // read while a packet was half written
    }
  };
  for (let i = 0; i < 50 && !hasByeOk(); i++) await new Promise((r) => setTimeout(r, 100));
  t.is(await alice.stop(), 0);
  t.is(await bob.stop(), 0);

  for (const [who, file] of [['alice', aFile], ['bob', bFile]] as const) {
    assertCall(t, sipFlow(file));
    const streams = [...rtpStreams(file).values()];
    t.is(streams.length, 2, `${who}: one RTP stream each way`);
    // About a second of 20 ms packets each way.
    t.true(streams.every((n) => n >= 30), `${who}: RTP packets ${streams.join(', ')}`);
    t.is(problems(file), '', `${who}: nothing malformed`);
  }
});

test('xsphone start --pcap: one file for both phones, each packet between them recorded once', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'start.pcap');
  const configFile = path.join(dir, 'phones.json');
  const config = defaultConfig(0, 5662, 5664);
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [XSPHONE_BIN, 'start', '--config', configFile, '--port', '0', '--pcap', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 15_000;
  const wait = async (what: string, ok: () => boolean | Promise<boolean>) => {
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}; stdout ${out}; stderr ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await wait('server address', () => /at (http:\S+)/.test(out));
  const url = /at (http:\S+)/.exec(out)![1]!;
  const keys = (phone: string, ks: string[]) =>
    fetch(`${url}/api/phones/${phone}/keys`, { method: 'POST', body: JSON.stringify({ keys: ks }) }).then((r) => t.is(r.status, 200));
  const phase = async (phone: string) => {
    const phones = (await (await fetch(`${url}/api/phones`)).json()) as Array<{ id: string; calls: Array<{ phase: string }> }>;
    return phones.find((p) => p.id === phone)!.calls.map((c) => c.phase).join(',');
  };
  await keys('alice', ['1', '0', '2', '#']);
  await wait('bob rings', async () => (await phase('bob')) === 'incoming');
  await keys('bob', ['soft1']);
  await wait('connected', async () => (await phase('alice')) === 'connected');
  await new Promise((r) => setTimeout(r, 1000));
  await keys('alice', ['soft4']);
  await wait('both idle', async () => (await phase('alice')) === '' && (await phase('bob')) === '');
  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.true(statSync(file).size > 1000);

  const flow = sipFlow(file);
  assertCall(t, flow);
  t.is(flow.filter((m) => m === 'INVITE').length, 1, 'the INVITE is recorded once, not by both phones');
  t.is(flow.filter((m) => m === 'BYE').length, 1);
  const streams = rtpStreams(file);
  t.is(streams.size, 2, `RTP both ways: ${[...streams.keys()].join('; ')}`);
  t.true([...streams.values()].every((n) => n >= 40), `RTP packets ${[...streams.values()].join(', ')}`);
  t.is(problems(file), '');
});
