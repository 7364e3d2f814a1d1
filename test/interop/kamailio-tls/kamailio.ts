/**
 * A private Kamailio with the TLS module for the TLS tests: the shared lab config plus kamailio-tls.cfg, with one
 * TLS listener per certificate case (good, wrong name, expired, unknown CA). Started in its own process group in a
 * temporary folder and stopped by its pid; it never touches the shared peers' Kamailio.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCa } from '../../support/test-ca.js';
import { SHARED, waitFor } from '../peers.js';

/** This folder in the source tree (the .cfg files are not copied to dist/). */
const SOURCE = fileURLToPath(new URL('../../../../test/interop/kamailio-tls/', import.meta.url));

export interface TlsKamailio {
  sipPort: number;
  /** good, wrong-name, expired, untrusted. */
  tlsPorts: { good: number; wrongName: number; expired: number; untrusted: number };
  log: string;
  kamcmd(...args: string[]): string;
  /** Replies Kamailio has sent statelessly so far (every REGISTER gets one: 401, 200...); NaN if unknown. */
  answered(): number;
  stop(): Promise<void>;
}

/** Kamailio on sipPort (UDP, TCP), TLS with the good certificate on goodTlsPort, the bad ones on badTlsPort, +1, +2. */
export async function startTlsKamailio(ca: TestCa, sipPort: number, goodTlsPort: number, badTlsPort: number): Promise<TlsKamailio> {
  const dir = join(ca.dir, 'kamailio');
  mkdirSync(dir, { recursive: true });
  const ports = [goodTlsPort, badTlsPort, badTlsPort + 1, badTlsPort + 2];
  const fill = (text: string): string =>
    ports.reduce((t, p, i) => t.replaceAll(`@TLS_PORT${i}@`, String(p)), text)
      .replaceAll('@SHARED_CFG@', `${SHARED}peers/kamailio/kamailio.cfg`)
      .replaceAll('@TLS_CFG@', join(dir, 'tls.cfg'))
      .replaceAll('@DIR@', ca.dir);
  writeFileSync(join(dir, 'kamailio.cfg'), fill(readFileSync(`${SOURCE}kamailio-tls.cfg`, 'utf8')));
  writeFileSync(join(dir, 'tls.cfg'), fill(readFileSync(`${SOURCE}tls.cfg`, 'utf8')));
  const ctl = join(dir, 'kamailio.ctl');
  const log = join(dir, 'kamailio.log');
  const out = (await import('node:fs')).openSync(log, 'w');
  const child: ChildProcess = spawn('kamailio', [
    '-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-m', '32', '-M', '8',
    '-A', `SIP_PORT=${sipPort}`, '-A', `CTL_SOCK="unix:${ctl}"`, '-A', 'DBG_LEVEL=2',
  ], { detached: true, stdio: ['ignore', out, out] });
  const kamcmd = (...args: string[]): string => execFileSync('kamcmd', ['-s', `unix:${ctl}`, ...args], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`kamailio exited (${child.exitCode}):\n${readFileSync(log, 'utf8').slice(-2000)}`);
      try {
        kamcmd('core.version');
        return true;
      } catch {
        return false;
      }
    }, 15_000, 'kamailio with TLS to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    sipPort,
    tlsPorts: { good: ports[0]!, wrongName: ports[1]!, expired: ports[2]!, untrusted: ports[3]! },
    log,
    kamcmd,
    answered: () => {
      const m = /sl:sent_replies = (\d+)/.exec(kamcmd('stats.get_statistics', 'sl:'));
      return m ? Number(m[1]) : NaN;
    },
    stop,
  };
}
