/** `xsphone sim` as a child process for interop tests: its JSON events, its stdout and stderr, and a clean stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/xsphone.js', import.meta.url));

export interface SimEvent {
  type: string;
  [key: string]: unknown;
}

export class SimProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.#exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  events(): SimEvent[] {
    const out: SimEvent[] = [];
    for (const line of this.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as SimEvent);
      } catch {
        // a line still being written
      }
    }
    return out;
  }

  has(type: string): boolean {
    return this.events().some((e) => e.type === type);
  }

  find(type: string): SimEvent | undefined {
    return this.events().find((e) => e.type === type);
  }

  count(type: string): number {
    return this.events().filter((e) => e.type === type).length;
  }

  /** The UDP (and TCP) port the phone bound. */
  get sipPort(): number {
    return Number(this.find('started')?.['sipPort']);
  }

  /** SIGTERM (unregister), SIGKILL after 10 s; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      const code = await this.#exited;
      clearTimeout(t);
      return code;
    }
    return this.#exited;
  }
}
