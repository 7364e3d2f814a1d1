import test from 'ava';
import { Registration, type RegistrationState } from '../../src/sip/ua/registration.js';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { UdpRelay } from '../support/udp-relay.js';
import { closeUserAgent, hostUserAgent } from './host-ua.js';
import { ensurePeersIn, privatePeers, stopPeer, waitFor } from './peers.js';

// A Kamailio of this file's own: these tests kill and restart it.
const PORT = 5170;
const env = privatePeers('faults', PORT);

test.before(() => ensurePeersIn(env, 'kamailio'));
test.after.always(() => stopPeer('kamailio', env));

async function phone(registrar: string, expires = 300, options = {}) {
  const ua = await hostUserAgent();
  const states: RegistrationState[] = [];
  const reg = new Registration(ua, { user: 'dave', password: 'davepw', domain: '127.0.0.1', registrar: parseUri(registrar) as SipUri, expires }, { onState: (s) => states.push(s), ...options });
  return { ua, reg, states };
}

test.serial('30% packet loss both ways: REGISTER still completes through retransmissions', async (t) => {
  const relay = await UdpRelay.start({ address: '127.0.0.1', port: PORT }, { loss: 0.3, seed: 7 });
  const phones = await Promise.all([1, 2, 3].map(() => phone(`sip:127.0.0.1:${relay.port}`)));
  try {
    for (const p of phones) p.reg.start();
    await waitFor(() => phones.every((p) => p.reg.state.state === 'registered'), 60_000, 'all three to register through the lossy path');
    t.true(relay.stats.dropped > 0, 'the relay dropped packets');
    t.log(`relay forwarded ${relay.stats.forwarded}, dropped ${relay.stats.dropped}`);
  } finally {
    await Promise.all(phones.map((p) => p.reg.stop()));
    phones.forEach((p) => closeUserAgent(p.ua));
    relay.close();
  }
});

test.serial('Kamailio killed and restarted: registered again within the refresh interval plus one retry', async (t) => {
  const p = await phone(`sip:127.0.0.1:${PORT}`, 20);
  try {
    p.reg.start();
    await waitFor(() => p.reg.state.state === 'registered', 10_000, 'registration');
    stopPeer('kamailio', env);
    await new Promise((r) => setTimeout(r, 1000));
    ensurePeersIn(env, 'kamailio');
    const restarted = Date.now();
    const before = p.states.length;
    // Promise: refresh at half of 20 s, and a failed attempt retries within 2 s.
    await waitFor(() => p.states.length > before && p.reg.state.state === 'registered', 14_000, 're-registration');
    t.true(Date.now() - restarted < 14_000);
  } finally {
    await p.reg.stop();
    closeUserAgent(p.ua);
  }
});

test.serial('TCP connection reset: the phone reconnects and registers again at once', async (t) => {
  const p = await phone(`sip:127.0.0.1:${PORT};transport=tcp`, 300);
  try {
    p.reg.start();
    await waitFor(() => p.reg.state.state === 'registered', 10_000, 'registration over TCP');
    const before = p.states.length;
    stopPeer('kamailio', env); // closes the connection
    await waitFor(() => p.states.slice(before).some((s) => s.state !== 'registered'), 15_000, 'the phone to notice the reset');
    ensurePeersIn(env, 'kamailio');
    const restarted = Date.now();
    await waitFor(() => p.reg.state.state === 'registered', 70_000, 're-registration over a new connection');
    t.log(`registered again ${Date.now() - restarted} ms after the restart`);
    t.true(Date.now() - restarted < 65_000, 'within the 60 s retry cap');
  } finally {
    await p.reg.stop();
    closeUserAgent(p.ua);
  }
});
