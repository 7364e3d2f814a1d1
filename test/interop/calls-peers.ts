/** Shared bits of the call interop tests: a private Kamailio per test file, and registered `xsphone sim` phones. */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimProcess, type SimOptions } from '../support/sim-process.js';
import { ensurePeersIn, PEERS, privatePeers, stopPeer } from './peers.js';

export interface PrivateKamailio {
  port: number;
  registrar: string;
  env: NodeJS.ProcessEnv;
  /** kamcmd against this Kamailio. */
  kamcmd(...args: string[]): string;
  /** Contacts registered for a user here. */
  contacts(user: string): string[];
  /** Drops every registration of these users (left by a phone that was killed). */
  clear(...users: string[]): void;
  stop(): void;
}

/**
 * A Kamailio of the calling test file's own (own port and run folder), so tests running in parallel never see each
 * other's registrations and a test may stop it.
 */
export function privateKamailio(name: string, port: number): PrivateKamailio {
  const env = privatePeers(name, port);
  ensurePeersIn(env, 'kamailio');
  const kamcmd = (...args: string[]) =>
    execFileSync('kamcmd', ['-s', `unix:${env['SIP_PEERS_DIR']}/kamailio.ctl`, ...args], { encoding: 'utf8', timeout: 10_000 });
  const contacts = (user: string): string[] => {
    try {
      return [...kamcmd('ul.lookup', 'location', user).matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
    } catch {
      return [];
    }
  };
  return {
    port, env, kamcmd, contacts,
    registrar: `sip:127.0.0.1:${port}`,
    clear: (...users) => {
      for (const u of users) {
        try {
          kamcmd('ul.rm', 'location', u);
        } catch {
          // not registered
        }
      }
    },
    stop: () => stopPeer('kamailio', env),
  };
}

/** Starts a phone registered with its own password (`<user>pw`) and waits for `registered`. */
export async function registeredPhone(kam: PrivateKamailio, o: SimOptions, ms = 15_000): Promise<SimProcess> {
  const p = await SimProcess.start({ registrar: kam.registrar, password: `${o.user}pw`, ...o });
  try {
    await p.waitFor('registered', ms);
  } catch (e) {
    p.kill();
    throw e;
  }
  return p;
}

/** Resolves after ms. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A free UDP port on 127.0.0.1 (even, with the next one free too, when pair is set: RTP + RTCP). */
export async function freeUdpPort(pair = false): Promise<number> {
  const { createSocket } = await import('node:dgram');
  for (let i = 0; i < 50; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(s.address().port));
    });
    if (!pair) {
      s.close();
      return port;
    }
    const even = port & ~1;
    s.close();
    const ok = await Promise.all([even, even + 1, even + 2, even + 3].map((p) => new Promise<boolean>((resolve) => {
      const t = createSocket('udp4');
      t.once('error', () => resolve(false));
      t.bind(p, '127.0.0.1', () => t.close(() => resolve(true)));
    })));
    if (ok.every(Boolean)) return even;
  }
  throw new Error('no free UDP port');
}

export const SIPP_DIR = fileURLToPath(new URL('../../../test/interop/sipp/', import.meta.url));
export const SHARED_SIPP_DIR = `${PEERS}sipp/`;

export interface SippRun {
  /** Resolves when SIPp exits (killed after its time limit): exit code and its output. */
  done: Promise<{ code: number | null; out: string }>;
  kill(): void;
}

/** Runs SIPp (-m 1 by default) in the background, bounded by -timeout and a hard kill a little later. */
export function sipp(args: string[], seconds = 30): SippRun {
  const all = ['-nostdin', '-timeout', `${seconds}s`, '-timeout_error', ...(args.includes('-m') ? [] : ['-m', '1']), ...args];
  const child = spawn('sipp', all, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const hard = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(hard);
      process.off('exit', onExit);
      resolve({ code, out });
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

/** A baresip peer's ctrl_tcp interface (JSON in netstrings): commands, and the events it pushes. */
export class BaresipCtl {
  readonly events: Array<{ type: string; at: number; [k: string]: unknown }> = [];
  #socket: import('node:net').Socket;
  #buffer = '';
  #pending = new Map<string, (r: { ok: boolean; data?: string }) => void>();
  #token = 0;
  #waiters = new Set<() => void>();

  private constructor(socket: import('node:net').Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.#read(d));
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<BaresipCtl> {
    const { createConnection } = await import('node:net');
    const socket = createConnection({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new BaresipCtl(socket);
  }

  #read(d: string): void {
    this.#buffer += d;
    for (;;) {
      const colon = this.#buffer.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.#buffer.slice(0, colon));
      if (this.#buffer.length < colon + 1 + len + 1) return;
      const body = this.#buffer.slice(colon + 1, colon + 1 + len);
      this.#buffer = this.#buffer.slice(colon + 2 + len);
      const msg = JSON.parse(body) as { event?: boolean; response?: boolean; type?: string; token?: string; ok?: boolean; data?: string };
      if (msg.response && msg.token) this.#pending.get(msg.token)?.({ ok: !!msg.ok, ...(msg.data !== undefined ? { data: msg.data } : {}) });
      else if (msg.event) this.events.push({ ...(msg as Record<string, unknown>), type: String(msg.type), at: Date.now() });
      for (const w of [...this.#waiters]) w();
    }
  }

  /** Sends a command; resolves with baresip's response (rejects after 5 s). */
  command(command: string, params = ''): Promise<{ ok: boolean; data?: string }> {
    const token = `t${++this.#token}`;
    const json = JSON.stringify({ command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`baresip: no response to ${command}`)), 5_000);
      this.#pending.set(token, (r) => {
        clearTimeout(timer);
        this.#pending.delete(token);
        resolve(r);
      });
      this.#socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  /** Resolves with the first event of this type at index from or later; rejects after ms. */
  waitEvent(type: string, ms = 10_000, from = 0): Promise<{ type: string; at: number; [k: string]: unknown }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const e = this.events.slice(from).find((x) => x.type === type);
        if (!e) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`baresip: no ${type} within ${ms} ms; events ${this.events.map((e) => e.type).join(',')}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
