/**
 * `xsphone sim` as a child process for interop tests: its JSON events (with the time each arrived), its stdout and
 * stderr, bounded waits for events, and a clean stop (SIGTERM, SIGKILL after a while; every child still running is
 * killed when the test process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

export const XSPHONE_BIN = fileURLToPath(new URL('../../../bin/xsphone.js', import.meta.url));

export interface SimEvent {
  type: string;
  /** When the line arrived here, ms since the epoch. */
  at?: number;
  [key: string]: unknown;
}

/** The options of `xsphone sim`, for simArgs(). */
export interface SimOptions {
  user: string;
  password?: string;
  registrar?: string;
  sipPort?: number;
  transport?: 'udp' | 'tcp' | 'tls';
  /** true: answer at once; a number: after that many ms. */
  autoAnswer?: boolean | number;
  call?: string;
  hangupAfter?: number;
  audioIn?: string;
  audioOut?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Further arguments, passed as they are. */
  extra?: string[];
  /** Scheduling priority (nice value, -20..19; below 0 needs root, ignored without it). */
  priority?: number;
}

/** The arguments after `sim` for these options. */
export function simArgs(o: SimOptions): string[] {
  const a = ['--user', o.user, '--sip-port', String(o.sipPort ?? 0)];
  if (o.password !== undefined) a.push('--password', o.password);
  if (o.registrar) a.push('--registrar', o.registrar);
  if (o.transport) a.push('--transport', o.transport);
  if (o.autoAnswer !== undefined && o.autoAnswer !== false) a.push('--auto-answer', ...(typeof o.autoAnswer === 'number' ? [String(o.autoAnswer)] : []));
  if (o.call) a.push('--call', o.call);
  if (o.hangupAfter !== undefined) a.push('--hangup-after', String(o.hangupAfter));
  if (o.audioIn) a.push('--audio-in', o.audioIn);
  if (o.audioOut) a.push('--audio-out', o.audioOut);
  if (o.logLevel) a.push('--log-level', o.logLevel);
  if (o.extra) a.push(...o.extra);
  return a;
}

const live = new Set<ChildProcess>();
let hooked = false;

export class SimProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly name: string;
  readonly #exited: Promise<number | null>;
  readonly #events: SimEvent[] = [];
  #partial = '';
  readonly #waiters = new Set<() => void>();

  /** args: what follows `xsphone sim`. */
  constructor(args: string[]) {
    if (!hooked) {
      hooked = true;
      process.on('exit', () => {
        for (const c of live) c.kill('SIGKILL');
      });
    }
    const user = args.indexOf('--user');
    this.name = user >= 0 ? (args[user + 1] ?? 'sim') : 'sim';
    this.child = spawn(process.execPath, [XSPHONE_BIN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.child.stdout!.on('data', (d: Buffer) => this.#read(d.toString()));
    // Keep a bounded tail: the debug log of a long call is large.
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-400_000)));
    this.#exited = new Promise((r) =>
      this.child.on('exit', (code) => {
        live.delete(this.child);
        this.#wake();
        r(code);
      }),
    );
  }

  /** Spawns a phone with these options and waits (bounded) for its `started` event; killed if it does not come. */
  static async start(o: SimOptions, ms = 15_000): Promise<SimProcess> {
    const p = new SimProcess(simArgs(o));
    if (o.priority !== undefined && p.child.pid !== undefined) {
      try {
        setPriority(p.child.pid, o.priority);
      } catch {
        // not allowed: run at the normal priority
      }
    }
    try {
      await p.waitFor('started', ms);
    } catch (e) {
      p.kill();
      throw e;
    }
    return p;
  }

  #read(text: string): void {
    this.stdout += text;
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        this.#events.push({ ...(JSON.parse(line) as SimEvent), at: Date.now() });
      } catch {
        this.#events.push({ type: 'unparsed', line, at: Date.now() });
      }
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  events(): SimEvent[] {
    return this.#events.slice();
  }

  types(): string[] {
    return this.#events.map((e) => e.type);
  }

  has(type: string): boolean {
    return this.#events.some((e) => e.type === type);
  }

  find(type: string): SimEvent | undefined {
    return this.#events.find((e) => e.type === type);
  }

  count(type: string): number {
    return this.#events.filter((e) => e.type === type).length;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The UDP (and TCP) port the phone bound. */
  get sipPort(): number {
    return Number(this.find('started')?.['sipPort']);
  }

  /**
   * Resolves with the first event of this type (matching pred) at index `from` or later; rejects after ms, or
   * when the phone exits first, with its events and stderr tail in the message.
   */
  waitFor(type: string, ms = 10_000, pred: (e: SimEvent) => boolean = () => true, from = 0): Promise<SimEvent> {
    const find = () => this.#events.slice(from).find((e) => e.type === type && pred(e));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => new Error(`${this.name}: ${why} waiting for '${type}'; events: ${this.types().join(', ')}; stderr tail: ${this.stderr.slice(-1500)}`);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const check = () => {
        const e = find();
        if (e) {
          done();
          resolve(e);
        } else if (!this.running) {
          done();
          reject(fail(`exited (${this.child.exitCode ?? this.child.signalCode})`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(fail(`nothing within ${ms} ms`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** SIGTERM (unregister), SIGKILL after ms (default 10 s); resolves with the exit code. */
  async stop(ms = 10_000): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), ms);
      const code = await this.#exited;
      clearTimeout(t);
      return code;
    }
    return this.#exited;
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** Stops every phone given, in parallel, never throwing. */
export async function stopAll(...phones: Array<SimProcess | undefined>): Promise<void> {
  await Promise.all(phones.map((p) => p?.stop().catch(() => p.kill())));
}
