import test from 'ava';
import type { SipRequest } from '../../../../src/sip/message.js';
import { parsePidf, presenceStatus } from '../../../../src/sip/services/presence.js';
import { PresencePublisher, type PublicationState } from '../../../../src/sip/services/publish.js';
import { parseUri, type SipUri } from '../../../../src/sip/uri.js';
import { pair as basePair } from './harness.js';

/** Alice publishes to her AOR through bob, her outbound proxy (the presence server here). */
async function pair() {
  const p = await basePair();
  return { ...p, aliceAccount: { ...p.aliceAccount, outboundProxy: parseUri('sip:10.0.0.2') as SipUri } };
}

/** Bob as a presence server (RFC 3903 §6): keeps entity-tags, refreshes need SIP-If-Match, unknown tags get 412. */
function presenceServer(bob: Awaited<ReturnType<typeof basePair>>['bob']) {
  const seen: SipRequest[] = [];
  const etags = new Set<string>();
  let n = 0;
  let body = '';
  bob.handle('PUBLISH', (req, tx) => {
    seen.push(req);
    const match = req.header('SIP-If-Match');
    if (match !== undefined && !etags.has(match)) return void bob.respond(tx, req, 412);
    if (match === undefined && req.body.length === 0) return void bob.respond(tx, req, 400);
    if (match !== undefined) etags.delete(match);
    const expires = Math.min(req.expires ?? 3600, 3600);
    if (expires === 0) return void bob.respond(tx, req, 200, undefined, { headers: { Expires: '0' } });
    if (req.body.length) body = new TextDecoder().decode(req.body);
    const tag = `e${++n}`;
    etags.add(tag);
    bob.respond(tx, req, 200, undefined, { headers: { 'SIP-ETag': tag, Expires: String(expires) } });
  });
  return { seen, etags, current: () => body };
}

test('PUBLISH: PIDF state, ETag kept, refresh with SIP-If-Match and no body before expiry, modify, remove', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const server = presenceServer(bob);
  const states: PublicationState[] = [];
  const pub = new PresencePublisher(alice, aliceAccount, { expires: 600, onState: (s) => states.push(s) });
  pub.set('available');
  await run(20);
  t.is(server.seen.length, 1);
  const first = server.seen[0]!;
  t.is(first.header('Event'), 'presence');
  t.is(first.header('Content-Type'), 'application/pidf+xml');
  t.is(first.header('SIP-If-Match'), undefined);
  t.is(presenceStatus(parsePidf(server.current())), 'available');
  t.deepEqual(states[states.length - 1], { state: 'published', etag: 'e1', expires: 600 });
  await run(299_000);
  t.is(server.seen.length, 1);
  await run(1_100);
  t.is(server.seen.length, 2);
  const refresh = server.seen[1]!;
  t.is(refresh.header('SIP-If-Match'), 'e1');
  t.is(refresh.body.length, 0);
  t.is(refresh.header('Expires'), '600');
  t.is(pub.publication.etag, 'e2');
  pub.set('on-the-phone');
  await run(20);
  t.is(server.seen[2]!.header('SIP-If-Match'), 'e2');
  t.is(presenceStatus(parsePidf(server.current())), 'on-the-phone');
  pub.set('do-not-disturb');
  pub.set('available'); // while the previous is in flight: the latest wins, one more PUBLISH
  await run(20);
  t.is(server.seen.length, 5);
  t.is(presenceStatus(parsePidf(server.current())), 'available');
  pub.remove();
  await run(20);
  const last = server.seen[server.seen.length - 1]!;
  t.is(last.header('Expires'), '0');
  t.is(last.header('SIP-If-Match'), 'e5');
  t.deepEqual(states[states.length - 1], { state: 'removed' });
  await run(4_000_000);
  t.is(server.seen.length, 6, 'no refresh after removal');
});

test('PUBLISH: a 412 (server lost our state) is followed by a fresh PUBLISH with the full body', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const server = presenceServer(bob);
  const pub = new PresencePublisher(alice, aliceAccount, { expires: 120 });
  pub.set('do-not-disturb');
  await run(20);
  server.etags.clear(); // the server restarted
  await run(61_000);
  t.is(server.seen.length, 3);
  t.is(server.seen[1]!.header('SIP-If-Match'), 'e1');
  t.is(server.seen[2]!.header('SIP-If-Match'), undefined);
  t.true(server.seen[2]!.body.length > 0);
  t.is(presenceStatus(parsePidf(server.current())), 'busy');
  t.is(pub.publication.state.state, 'published');
  t.is(pub.publication.etag, 'e2');
});

test('PUBLISH failures (501) are reported and retried later, not in a loop', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  let count = 0;
  bob.handle('PUBLISH', (req, tx) => {
    count++;
    bob.respond(tx, req, 501);
  });
  const states: PublicationState[] = [];
  const pub = new PresencePublisher(alice, aliceAccount, { retryMs: 60_000, onState: (s) => states.push(s) });
  pub.set('available');
  await run(1_000);
  t.is(count, 1);
  t.deepEqual(states[states.length - 1], { state: 'failed', status: 501, reason: 'Not Implemented' });
  await run(60_000);
  t.is(count, 2);
});
