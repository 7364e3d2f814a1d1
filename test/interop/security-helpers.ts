/**
 * Pieces the security tests share: an in-process simulated phone registered to a private Kamailio, and a
 * hand-made OPTIONS probe sent from any loopback address (127.0.0.0/8 is all ours, so an "attacker" can have an
 * address other than the registrar's, which the phone trusts once registered).
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppEvent } from '../../src/phone/app.js';
import { SimPhone, settingsFor } from '../../host-sim/sim-phone.js';
import { SHARED_CFG, startKamailio, type KamailioProcess } from './kamailio-tls/kamailio.js';

/**
 * The lab Kamailio on its own loopback address: the phone trusts the registrar's address once registered, and
 * some scanners (svwar 0.3.3 ignores -b) can only send from 127.0.0.1, which must then not be the registrar's.
 */
export const KAM_ADDRESS = '127.0.0.5';

export async function privateKamailio(name: string, port: number): Promise<KamailioProcess & { address: string; port: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `xsphone-${name}-`));
  const k = await startKamailio(SHARED_CFG, dir, { SIP_ADDR: KAM_ADDRESS, SIP_PORT: port });
  return {
    ...k, address: KAM_ADDRESS, port, dir,
    stop: async () => {
      await k.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPhone {
  phone: SimPhone;
  events: AppEvent[];
  port: number;
  count(type: AppEvent['type']): number;
}

/** A phone for `user` (password loadpw: the lab's load accounts) on 127.0.0.1 registered to the Kamailio at kam. */
export async function registeredPhone(user: string, kam: { address: string; port: number }, o: { autoAnswerMs?: number; expires?: number; logSink?: (line: string) => void } = {}): Promise<TestPhone> {
  const settings = settingsFor({
    user, domain: kam.address, password: 'loadpw', registrar: `sip:${kam.address}:${kam.port}`,
    ...(o.autoAnswerMs !== undefined ? { autoAnswerMs: o.autoAnswerMs } : {}),
  });
  // Below the settings' 60 s floor on purpose: the registrar (min 10 s) grants it, so refreshes come quickly.
  if (o.expires !== undefined) settings.accounts[0]!.expires = o.expires;
  const events: AppEvent[] = [];
  const phone = await SimPhone.start(
    { id: user, settings, address: '127.0.0.1', sipPort: 0, logLevel: 'warn', logSink: o.logSink ?? (() => {}) },
    (e) => events.push(e),
  );
  return {
    phone, events, port: phone.app.ua.transport.localPort('UDP')!,
    count: (type) => events.filter((e) => e.type === type).length,
  };
}

/** Contacts Kamailio holds for a user. */
export function contactsOf(kam: KamailioProcess, user: string): string[] {
  let out: string;
  try {
    out = kam.kamcmd('ul.lookup', 'location', user);
  } catch {
    return [];
  }
  return [...out.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
}

/**
 * Sends one OPTIONS from `from` (a loopback address) to requestUri at address:port and resolves with the
 * final status, or undefined when nothing came back within ms.
 */
export function probeOptions(o: { from: string; address: string; port: number; requestUri: string; userAgent?: string; ms?: number }): Promise<number | undefined> {
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(status);
    };
    const timer = setTimeout(() => finish(undefined), o.ms ?? 2000);
    sock.on('message', (msg) => {
      const m = /^SIP\/2\.0 (\d{3}) /.exec(msg.toString('latin1'));
      if (m && Number(m[1]) >= 200) finish(Number(m[1]));
    });
    sock.on('error', () => finish(undefined));
    sock.bind(0, o.from, () => {
      const { port } = sock.address();
      const id = randomBytes(8).toString('hex');
      const text = [
        `OPTIONS ${o.requestUri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${o.from}:${port};branch=z9hG4bK${id};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@${o.from}>;tag=${id.slice(0, 8)}`,
        `To: <${o.requestUri}>`,
        `Call-ID: ${id}@${o.from}`,
        'CSeq: 1 OPTIONS',
        `User-Agent: ${o.userAgent ?? 'Acme DeskPhone 2.1'}`,
        'Accept: application/sdp',
        'Content-Length: 0',
        '', '',
      ].join('\r\n');
      sock.send(text, o.port, o.address);
    });
  });
}
