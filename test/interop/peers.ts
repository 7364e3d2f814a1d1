/**
 * The real SIP peers in ../shared/peers (Kamailio, baresip...), started on demand for interop tests.
 * start.sh is idempotent; a file lock keeps test files that run in parallel from starting one twice.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared folder beside the repository (dist/test/interop/ -> ../../../../shared). */
export const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const PEERS = `${SHARED}peers/`;
export const RUN_DIR = process.env['SIP_PEERS_DIR'] ?? '/tmp/sip-peers';
export const KAMAILIO = { address: '127.0.0.1', port: Number(process.env['KAMAILIO_PORT'] ?? 5070) };

/** Environment for a private set of peers (own run folder and Kamailio port), e.g. for tests that kill them. */
export function privatePeers(name: string, kamailioPort: number): NodeJS.ProcessEnv {
  return { ...process.env, SIP_PEERS_DIR: `/tmp/sip-peers-${name}`, KAMAILIO_PORT: String(kamailioPort) };
}

export function ensurePeers(...components: string[]): void {
  ensurePeersIn(process.env, ...components);
}

// flock -o: the peers start.sh leaves running (baresip) must not inherit the lock, or every later caller waits forever.
export function ensurePeersIn(env: NodeJS.ProcessEnv, ...components: string[]): void {
  if (!existsSync(`${PEERS}start.sh`)) throw new Error(`shared peers not found at ${PEERS}`);
  execFileSync('flock', ['-o', '/tmp/xsphone-peers.lock', `${PEERS}start.sh`, ...components], { stdio: 'pipe', timeout: 60_000, env });
}

export function stopPeer(name: string, env: NodeJS.ProcessEnv = process.env): void {
  execFileSync('flock', ['-o', '/tmp/xsphone-peers.lock', `${PEERS}stop.sh`, name], { stdio: 'pipe', timeout: 30_000, env });
}

/** kamcmd against the running Kamailio; returns its output. */
export function kamcmd(...args: string[]): string {
  return execFileSync('kamcmd', ['-s', `unix:${RUN_DIR}/kamailio.ctl`, ...args], { encoding: 'utf8', timeout: 10_000 });
}

/** The contacts Kamailio holds for a user (empty when none). */
export function registeredContacts(user: string): string[] {
  let out: string;
  try {
    out = kamcmd('ul.lookup', 'location', user);
  } catch {
    return [];
  }
  return [...out.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
}

/** Polls until fn returns true or the time is up. */
/**
 * Resolves once a UDP socket is bound to `port` on any local address (from /proc/net/udp and udp6): a peer that
 * was just spawned is listening. A fixed sleep is too short when the machine is loaded.
 */
export async function udpListening(port: number, ms = 10_000): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const bound = (): boolean => ['/proc/net/udp', '/proc/net/udp6'].some((file) => {
    try {
      // "sl local_address rem_address st ...": the local address is the second column, "ADDRESS:PORT" in hex.
      return readFileSync(file, 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex) === true);
    } catch {
      return false;
    }
  });
  await waitFor(bound, ms, `something to listen on UDP port ${port}`);
}

export async function waitFor(fn: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
