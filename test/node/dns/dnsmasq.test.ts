// The resolver and RFC 3263 locator against a real DNS server: dnsmasq (Debian dnsmasq-base) started on a
// free loopback port, serving NAPTR, SRV, A/AAAA and CNAME records for example.test; killed at the end.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { HostClock } from '../../../hal/host/clock.js';
import { HostNetwork } from '../../../hal/host/net.js';
import { HostRandom } from '../../../hal/host/random.js';
import { DnsError } from '../../../src/sip/dns/message.js';
import { DnsResolver, type ResolverOptions } from '../../../src/sip/dns/resolver.js';
import { SipLocator } from '../../../src/sip/dns/sip-locator.js';
import type { SipUri } from '../../../src/sip/uri.js';

const haveDnsmasq = spawnSync('sh', ['-c', 'command -v dnsmasq']).status === 0;
const maybe = haveDnsmasq ? test.serial : test.skip;
if (!haveDnsmasq) test('dnsmasq is installed (apt-get install dnsmasq-base)', (t) => t.fail('dnsmasq not found on PATH'));

const BIG = 40;
const zoneArgs = [
  '--local=/example.test/', '--local-ttl=60',
  '--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test',
  '--naptr-record=example.test,10,20,S,SIP+D2T,,_sip._tcp.example.test',
  '--naptr-record=example.test,20,10,S,SIPS+D2T,,_sips._tcp.example.test',
  '--naptr-record=example.test,5,10,S,SIP+D2S,,_sip._sctp.example.test',
  '--srv-host=_sip._udp.example.test,pbx1.example.test,5060,10,60',
  '--srv-host=_sip._udp.example.test,pbx2.example.test,5062,10,40',
  '--srv-host=_sip._udp.example.test,backup.example.test,5070,20,0',
  '--srv-host=_sip._tcp.example.test,pbx1.example.test,5060,10,0',
  '--srv-host=_sips._tcp.example.test,pbx1.example.test,5061,10,0',
  '--srv-host=_sip._tcp.srvonly.example.test,pbx2.example.test,5080,1,0',
  '--host-record=pbx1.example.test,127.0.0.11',
  '--host-record=pbx2.example.test,127.0.0.12,::1',
  '--host-record=backup.example.test,127.0.0.13',
  '--host-record=plain.example.test,127.0.0.20',
  '--cname=alias.example.test,pbx1.example.test',
  ...Array.from({ length: BIG }, (_, i) => `--host-record=big.example.test,127.0.1.${i + 1}`),
];

let dnsmasq: ChildProcess | undefined;
let port = 0;
let stderr = '';

/** A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both). */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = dgram.createSocket('udp4');
    const p = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    udp.close();
    if (tcpFree) return p;
  }
  throw new Error('no free port for dnsmasq');
}

const clock = new HostClock({ unref: true });
const random = new HostRandom();
const network = new HostNetwork();

function resolver(extra: Partial<ResolverOptions> = {}): DnsResolver {
  return new DnsResolver({
    network, clock, random, servers: [{ address: '127.0.0.1', port }], localAddress: '127.0.0.1', timeoutMs: 300,
    ...extra,
  });
}

const sip = (host: string, extra: Partial<SipUri> = {}): SipUri => ({ scheme: 'sip', host, params: {}, headers: {}, ...extra });

test.before(async () => {
  if (!haveDnsmasq) return;
  port = await freePort();
  dnsmasq = spawn('dnsmasq', [
    '--no-daemon', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', `--port=${port}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', '--log-queries', ...zoneArgs,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  dnsmasq.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Ready when it answers: poll with the resolver itself, bounded to 5 s.
  const r = resolver({ attempts: 1, timeoutMs: 100 });
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await r.query('plain.example.test', 'A');
      break;
    } catch (e) {
      if (Date.now() > deadline || dnsmasq.exitCode !== null) throw new Error(`dnsmasq did not start: ${stderr}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  r.close();
});

test.after.always(() => {
  dnsmasq?.kill('SIGTERM');
});

maybe('A, AAAA, CNAME and NXDOMAIN from dnsmasq', async (t) => {
  const r = resolver();
  try {
    t.deepEqual((await r.query('pbx2.example.test', 'A')).records.map((x) => x.address), ['127.0.0.12']);
    t.deepEqual((await r.query('pbx2.example.test', 'AAAA')).records.map((x) => x.address), ['::1']);
    const alias = await r.query('alias.example.test', 'A');
    t.is(alias.name, 'pbx1.example.test');
    t.deepEqual(alias.records.map((x) => x.address), ['127.0.0.11']);
    const nx = await r.query('nothing.example.test', 'A');
    t.is(nx.negative, 'NXDOMAIN');
    const nodata = await r.query('pbx1.example.test', 'AAAA');
    t.is(nodata.negative, 'NODATA');
  } finally {
    r.close();
  }
});

maybe('NAPTR and SRV records decode as configured', async (t) => {
  const r = resolver();
  try {
    const naptr = await r.query('example.test', 'NAPTR');
    t.deepEqual(
      naptr.records.map((x) => [x.order, x.preference, x.flags, x.services, x.replacement]).sort(),
      [
        [10, 10, 'S', 'SIP+D2U', '_sip._udp.example.test'],
        [10, 20, 'S', 'SIP+D2T', '_sip._tcp.example.test'],
        [20, 10, 'S', 'SIPS+D2T', '_sips._tcp.example.test'],
        [5, 10, 'S', 'SIP+D2S', '_sip._sctp.example.test'],
      ].sort(),
    );
    const srv = await r.query('_sip._udp.example.test', 'SRV');
    t.deepEqual(
      srv.records.map((x) => `${x.priority} ${x.weight} ${x.port} ${x.target}`).sort(),
      ['10 40 5062 pbx2.example.test', '10 60 5060 pbx1.example.test', '20 0 5070 backup.example.test'],
    );
  } finally {
    r.close();
  }
});

maybe('RFC 3263 locator: NAPTR -> SRV (priority, weight) -> A/AAAA, in failover order', async (t) => {
  const r = resolver();
  try {
    const locator = new SipLocator({ resolver: r, random, transports: ['UDP', 'TCP'] });
    const firsts = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      r.flush();
      const cursor = await locator.locate(sip('example.test'));
      const all = cursor.targets.map((x) => `${x.transport} ${x.address}:${x.port}`);
      // The two weighted priority-10 UDP servers in either order, then the priority-20 backup, then TCP.
      t.deepEqual([...all.slice(0, 3)].sort(), ['UDP 127.0.0.11:5060', 'UDP 127.0.0.12:5062', 'UDP ::1:5062']);
      t.deepEqual(all.slice(3), ['UDP 127.0.0.13:5070', 'TCP 127.0.0.11:5060']);
      firsts.set(all[0]!, (firsts.get(all[0]!) ?? 0) + 1);
      t.is(cursor.current!.host, all[0]!.includes('.11') ? 'pbx1.example.test' : 'pbx2.example.test');
    }
    t.log(Object.fromEntries(firsts));
    t.true((firsts.get('UDP 127.0.0.11:5060') ?? 0) > 0 && (firsts.get('UDP 127.0.0.12:5062') ?? 0) > 0, 'both weighted servers get picked first');
  } finally {
    r.close();
  }
});

maybe('locator: SRV without NAPTR, transport parameter, explicit port, plain A', async (t) => {
  const r = resolver();
  try {
    const locator = new SipLocator({ resolver: r, random, transports: ['UDP', 'TCP', 'TLS'] });
    const brief = async (u: SipUri) => (await locator.resolve(u)).map((x) => `${x.transport} ${x.address}:${x.port}`);
    t.deepEqual(await brief(sip('srvonly.example.test')), ['TCP 127.0.0.12:5080', 'TCP ::1:5080']);
    t.deepEqual(await brief(sip('example.test', { params: { transport: 'tcp' } })), ['TCP 127.0.0.11:5060']);
    t.deepEqual(await brief(sip('example.test', { scheme: 'sips' })), ['TLS 127.0.0.11:5061']);
    t.deepEqual(await brief(sip('pbx1.example.test', { port: 5099 })), ['UDP 127.0.0.11:5099']);
    t.deepEqual(await brief(sip('plain.example.test')), ['UDP 127.0.0.20:5060']);
    const e = await locator.resolve(sip('nothing.example.test')).catch((err: unknown) => err);
    t.true(e instanceof DnsError);
  } finally {
    r.close();
  }
});

maybe('a truncated UDP answer (40 A records) is completed over TCP', async (t) => {
  const r = resolver();
  try {
    const big = await r.query('big.example.test', 'A');
    t.is(big.records.length, BIG);
    t.falsy(big.partial);
  } finally {
    r.close();
  }
  const udpOnly = resolver({ tcpFallback: false });
  try {
    const part = await udpOnly.query('big.example.test', 'A');
    t.true(part.partial);
    t.true(part.records.length > 0 && part.records.length < BIG);
  } finally {
    udpOnly.close();
  }
});

maybe('a silent first server is skipped after its time-out, on the real clock', async (t) => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((res) => silent.bind(0, '127.0.0.1', () => res()));
  const r = resolver({ servers: [{ address: '127.0.0.1', port: silent.address().port }, { address: '127.0.0.1', port }], timeoutMs: 200 });
  try {
    const started = Date.now();
    const a = await r.query('pbx1.example.test', 'A');
    const took = Date.now() - started;
    t.deepEqual(a.records.map((x) => x.address), ['127.0.0.11']);
    t.true(took >= 190 && took < 2000, `took ${took} ms`);
  } finally {
    r.close();
    silent.close();
  }
});
