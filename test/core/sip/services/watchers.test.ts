import test from 'ava';
import { BusyLamp, DIALOG_INFO_TYPE, type LampState } from '../../../../src/sip/services/dialog-info.js';
import { buildPidf, PIDF_TYPE, PresenceWatcher, type PresenceStatus } from '../../../../src/sip/services/presence.js';
import { acceptSubscription, type AcceptedSubscription } from '../../../../src/sip/services/subscription.js';
import type { SipRequest } from '../../../../src/sip/message.js';
import { pair } from './harness.js';

const doc = (version: number, dialogs: string) =>
  `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="sip:bob@10.0.0.2">${dialogs}</dialog-info>`;

test('BusyLamp: a dialog subscription accepted by acceptSubscription; lamp follows the documents; stop unsubscribes', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const subs: AcceptedSubscription[] = [];
  const refreshes: SipRequest[] = [];
  bob.handle('SUBSCRIBE', (req, tx) => {
    const s = acceptSubscription(bob, req, tx, {
      contactUser: 'bob', maxExpires: 300,
      onRequest: (r, rtx, sub) => {
        refreshes.push(r);
        bob.respond(rtx, r, 200, undefined, { headers: { Expires: String(Math.min(r.expires ?? 300, 300)) } });
        if (r.expires === 0) sub.notifier.notify('terminated', { reason: 'timeout' });
      },
    });
    subs.push(s);
    s.notifier.notify('active', { expires: s.expires, body: doc(0, ''), contentType: DIALOG_INFO_TYPE });
  });
  const lamps: LampState[] = [];
  const blf = new BusyLamp(alice, aliceAccount, { target: 'sip:bob@10.0.0.2', expires: 600, onLamp: (l) => lamps.push(l) });
  await run(20);
  t.is(subs.length, 1);
  t.is(subs[0]!.expires, 300, 'the notifier grants at most its maximum');
  t.deepEqual(lamps, ['idle']);
  const n = subs[0]!.notifier;
  n.notify('active', { expires: 290, contentType: DIALOG_INFO_TYPE, body: doc(1, '<dialog id="a" direction="recipient"><state>early</state></dialog>') });
  await run(20);
  n.notify('active', { expires: 280, contentType: DIALOG_INFO_TYPE, body: doc(2, '<dialog id="a" direction="recipient"><state>confirmed</state></dialog>') });
  await run(20);
  n.notify('active', { expires: 270, contentType: DIALOG_INFO_TYPE, body: 'not xml at all' });
  await run(20);
  t.deepEqual(lamps, ['idle', 'ringing', 'busy'], 'an unreadable document changes nothing');
  t.is(blf.lamp, 'busy');
  // The refresh comes half-way through the last granted expiry (270 s -> 135 s), answered by acceptSubscription.
  bob.handle('SUBSCRIBE', () => t.fail('refreshes stay in the dialog'));
  await run(134_000);
  t.is(refreshes.length, 0);
  await run(2_000);
  t.is(refreshes.length, 1);
  t.is(refreshes[0]!.header('Expires'), '600');
  t.is(blf.subscription.state, 'active');
  blf.stop();
  await run(20);
  t.is(blf.subscription.state, 'ended');
  t.deepEqual(lamps, ['idle', 'ringing', 'busy', 'idle']);
  t.deepEqual(refreshes.map((r) => r.header('Expires')), ['600', '0']);
});

test('PresenceWatcher: pending (no document) is unknown; PIDF documents give available / on-the-phone / offline', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  let sub: AcceptedSubscription | undefined;
  bob.handle('SUBSCRIBE', (req, tx) => {
    t.is(req.header('Event'), 'presence');
    t.is(req.header('Accept'), PIDF_TYPE);
    sub = acceptSubscription(bob, req, tx, { contactUser: 'bob', status: 202 });
    sub.notifier.notify('pending', { expires: sub.expires });
  });
  const seen: PresenceStatus[] = [];
  const w = new PresenceWatcher(alice, aliceAccount, { target: 'sip:bob@10.0.0.2', onPresence: (s) => seen.push(s) });
  await run(20);
  t.deepEqual(seen, ['unknown']);
  t.is(w.subscription.state, 'pending');
  for (const s of ['available', 'on-the-phone', 'offline'] as const) {
    sub!.notifier.notify('active', { expires: 3000, body: buildPidf('sip:bob@10.0.0.2', s), contentType: PIDF_TYPE });
    await run(20);
  }
  t.deepEqual(seen, ['unknown', 'available', 'on-the-phone', 'offline']);
  t.is(w.presence?.entity, 'sip:bob@10.0.0.2');
  sub!.notifier.notify('terminated', { reason: 'rejected' });
  await run(20);
  t.is(seen[seen.length - 1], 'unknown');
  t.is(w.subscription.state, 'ended');
});
