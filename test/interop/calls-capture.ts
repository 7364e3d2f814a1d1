/**
 * tshark on `lo` around a group of interop tests: captures the given ports, then reports what tshark decoded as
 * SIP and RTP, and every packet it flags as malformed or with an expert warning or error.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export interface Flagged {
  frame: number;
  protocols: string;
  info: string;
}

export class Capture {
  #child: ChildProcess;
  #stopped: Promise<void>;

  private constructor(readonly file: string, child: ChildProcess) {
    this.#child = child;
    this.#stopped = new Promise((r) => child.on('exit', () => r()));
    process.on('exit', () => child.kill('SIGKILL'));
  }

  /** Whether this process may capture (tshark installed, running as root). */
  static available(): boolean {
    if (process.getuid?.() !== 0) return false;
    try {
      execFileSync('tshark', ['--version'], { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Starts capturing; resolves once tshark says it is capturing (at most 15 s). filter: a BPF filter. */
  static async start(name: string, filter: string): Promise<Capture> {
    mkdirSync('/tmp/xsphone-captures', { recursive: true });
    const file = `/tmp/xsphone-captures/${name}-${process.pid}.pcapng`;
    const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tshark did not start capturing: ${err}`)), 15_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`tshark exited: ${err}`));
      });
    });
    return new Capture(file, child);
  }

  /** Stops the capture (SIGINT lets tshark finish the file). */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      // Let the last packets reach the file.
      await new Promise((r) => setTimeout(r, 500));
      this.#child.kill('SIGINT');
      const t = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      await this.#stopped;
      clearTimeout(t);
    }
  }

  #read(args: string[]): string {
    return execFileSync('tshark', ['-r', this.file, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  }

  #flagged(filter: string): Flagged[] {
    const out = this.#read(['-Y', filter, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Info']);
    return out.split('\n').filter(Boolean).map((l) => {
      const [frame, protocols, info] = l.split('|');
      return { frame: Number(frame), protocols: protocols ?? '', info: info ?? '' };
    });
  }

  /** SIP packets tshark finds malformed or warns about (must be empty). */
  sipProblems(): Flagged[] {
    return this.#flagged('sip && (_ws.malformed || _ws.expert.severity >= warning)');
  }

  /** RTP/RTCP packets tshark finds malformed or warns about (must be empty). */
  rtpProblems(): Flagged[] {
    return this.#flagged('(rtp || rtcp) && (_ws.malformed || _ws.expert.severity >= warning)');
  }

  /** Every flagged packet, of any protocol (for the log). */
  allProblems(): Flagged[] {
    return this.#flagged('_ws.malformed || _ws.expert.severity >= warning');
  }

  /** Number of SIP messages decoded. */
  sipCount(): number {
    return this.#read(['-Y', 'sip', '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).length;
  }

  /** RTP streams as tshark sees them (source port -> destination port, packets). */
  rtpStreams(): Array<{ src: number; dst: number; packets: number }> {
    const out = this.#read(['-Y', 'rtp', '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport']);
    const counts = new Map<string, number>();
    for (const line of out.split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
    return [...counts].map(([k, packets]) => {
      const [src, dst] = k.split('\t').map(Number);
      return { src: src!, dst: dst!, packets };
    });
  }
}
