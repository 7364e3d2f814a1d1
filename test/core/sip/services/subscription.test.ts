import test from 'ava';
import type { SipRequest } from '../../../../src/sip/message.js';
import { Voicemail, type Mwi } from '../../../../src/sip/services/message-summary.js';
import { dialogChannel, Notifier, Subscription, type DialogChannel, type Notification, type SubscriptionEnd } from '../../../../src/sip/services/subscription.js';
import type { ServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { Dialog } from '../../../../src/sip/ua/dialog.js';
import type { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { buildRequest } from '../../../../src/sip/build.js';
import type { ServiceAccount } from '../../../../src/sip/services/account.js';
import { pair } from './harness.js';

const MWI_TYPE = 'application/simple-message-summary';

interface Served {
  req: SipRequest;
  tx: ServerTransaction;
  dialog: Dialog;
  channel: DialogChannel;
  notifier: Notifier;
  inDialog: SipRequest[];
}

/** Bob as notifier: each SUBSCRIBE gets a dialog (tag), in-dialog SUBSCRIBEs answered 200 (+ terminated NOTIFY on Expires: 0). */
function server(bob: UserAgent, onSubscribe: (s: Served, fork: (tag?: string) => Served) => void) {
  const all: Served[] = [];
  const make = (req: SipRequest, tx: ServerTransaction, tag = bob.newTag()): Served => {
    const dialog = Dialog.asUas(req, tag, false);
    const channel = dialogChannel(bob, dialog, 'bob');
    const s: Served = { req, tx, dialog, channel, notifier: new Notifier(channel, 'message-summary'), inDialog: [] };
    bob.addDialog(dialog.key, {
      onRequest: (r, rtx) => {
        if (!rtx) return;
        dialog.receive(r);
        s.inDialog.push(r);
        bob.respond(rtx, r, 200, undefined, { headers: { Expires: String(r.expires ?? 600) } });
        if (r.expires === 0) s.notifier.notify('terminated', { reason: 'timeout' });
      },
    });
    all.push(s);
    return s;
  };
  bob.handle('SUBSCRIBE', (req, tx) => {
    const s = make(req, tx);
    onSubscribe(s, (tag) => make(req, tx, tag));
  });
  return all;
}

function ok(bob: UserAgent, s: Served, expires = 600): void {
  bob.respond(s.tx, s.req, 200, undefined, { toTag: s.dialog.localTag, headers: { Expires: String(expires), Contact: '<sip:bob@10.0.0.2>' } });
}

function subscriber(alice: UserAgent, account: ServiceAccount, extra: Partial<ConstructorParameters<typeof Subscription>[2]> = {}) {
  const notes: Notification[] = [];
  const ends: SubscriptionEnd[] = [];
  const sub = new Subscription(alice, account, {
    event: 'message-summary', accept: [MWI_TYPE], target: 'sip:bob@10.0.0.2', expires: 600,
    onNotify: (n) => notes.push(n), onEnd: (e) => ends.push(e), ...extra,
  });
  return { sub, notes, ends };
}

test('a NOTIFY before the 200 creates the dialog; refresh comes half-way through; unsubscribe ends it', async (t) => {
  const { alice, bob, clock, aliceAccount, run } = await pair();
  const served = server(bob, (s) => {
    s.notifier.notify('active', { expires: 600, body: 'Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/2)\r\n', contentType: MWI_TYPE });
    clock.setTimer(50, () => ok(bob, s));
  });
  const { sub, notes, ends } = subscriber(alice, aliceAccount);
  sub.subscribe();
  await run(20);
  t.is(served.length, 1);
  const first = served[0]!.req;
  t.is(first.header('Event'), 'message-summary');
  t.is(first.header('Expires'), '600');
  t.is(first.header('Accept'), MWI_TYPE);
  t.regex(first.header('Contact')!, /^<sip:alice@10\.0\.0\.1:5060>$/);
  t.is(notes.length, 1, 'NOTIFY accepted before the 200');
  t.is(notes[0]!.state.state, 'active');
  t.is(notes[0]!.contentType, MWI_TYPE);
  t.is(sub.state, 'active');
  t.is(sub.dialogs.length, 1);
  await run(100);
  t.is(sub.dialogs.length, 1, 'the 200 joins the dialog the NOTIFY created');
  const start = clock.now();
  // Granted 600 s: refresh at 300 s, not before.
  await run(299_000);
  t.is(served[0]!.inDialog.length, 0);
  await run(2_000);
  t.is(served[0]!.inDialog.length, 1);
  const refresh = served[0]!.inDialog[0]!;
  t.is(refresh.method, 'SUBSCRIBE');
  t.is(refresh.callId, first.callId);
  t.is(refresh.to.params['tag'], served[0]!.dialog.localTag);
  t.is(refresh.cseq.seq, first.cseq.seq + 1);
  t.true(clock.now() - start >= 299_000);
  // And again 300 s after the refresh was granted.
  await run(300_000);
  t.is(served[0]!.inDialog.length, 2);
  sub.unsubscribe();
  await run(50);
  t.is(served[0]!.inDialog[2]!.header('Expires'), '0');
  t.deepEqual(ends, [{ reason: 'unsubscribed' }]);
  t.is(notes[notes.length - 1]!.state.state, 'terminated');
  t.is(sub.state, 'ended');
  // The dialog is gone: a late NOTIFY in it gets 481.
  const statuses: number[] = [];
  served[0]!.channel.request('NOTIFY', { headers: [['Event', 'message-summary'], ['Subscription-State', 'active']] }, (r) => statuses.push(r.status));
  await run(50);
  t.deepEqual(statuses, [481]);
});

test('forked NOTIFYs make one dialog each; one fork ending leaves the other; NOTIFYs after the fork window get 481', async (t) => {
  const { alice, bob, clock, aliceAccount, run } = await pair();
  let late: Served | undefined;
  const lateStatus: number[] = [];
  server(bob, (s, fork) => {
    const other = fork();
    s.notifier.notify('active', { expires: 600, body: 'Messages-Waiting: no\r\n', contentType: MWI_TYPE });
    other.notifier.notify('pending', { expires: 600 });
    ok(bob, s);
    clock.setTimer(40_000, () => {
      late = fork();
      late.notifier.notify('active', { expires: 600 }, (st) => lateStatus.push(st));
    });
    clock.setTimer(1_000, () => other.notifier.notify('terminated', { reason: 'noresource' }));
  });
  const { sub, notes, ends } = subscriber(alice, aliceAccount);
  sub.subscribe();
  await run(20);
  t.is(sub.dialogs.length, 2);
  t.is(new Set(notes.map((n) => n.dialogKey)).size, 2);
  t.deepEqual(notes.map((n) => n.state.state).sort(), ['active', 'pending']);
  await run(1_000);
  t.is(sub.dialogs.length, 1, 'the terminated fork is dropped');
  t.is(sub.state, 'active');
  t.deepEqual(ends, [], 'noresource on one fork does not end the subscription');
  const before = notes.length;
  await run(40_000);
  t.is(notes.length, before, 'a NOTIFY from a new fork after 64*T1 is not taken');
  t.is(sub.dialogs.length, 1);
  t.truthy(late);
  t.deepEqual(lateStatus, [481]);
});

test('terminated: retry-after is honoured, deactivated re-subscribes at once, rejected stops', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  let reason = 'probation';
  let retryAfter: number | undefined = 120;
  const served = server(bob, (s) => {
    ok(bob, s);
    if (served.length === 1 || reason !== 'probation') {
      s.notifier.notify('terminated', { reason, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    } else s.notifier.notify('active', { expires: 600 });
  });
  const { sub, ends } = subscriber(alice, aliceAccount);
  sub.subscribe();
  await run(20);
  t.is(served.length, 1);
  t.is(sub.state, 'waiting');
  await run(119_000);
  t.is(served.length, 1, 'not before retry-after');
  await run(1_100);
  t.is(served.length, 2);
  t.not(served[1]!.req.callId, served[0]!.req.callId, 'a new subscription');
  t.is(sub.state, 'active');

  reason = 'deactivated';
  retryAfter = undefined;
  const d = subscriber(alice, aliceAccount);
  const n = served.length;
  d.sub.subscribe();
  await run(20);
  t.true(served.length >= n + 2, 'deactivated: re-subscribed at once');
  d.sub.unsubscribe();
  await run(20);

  reason = 'rejected';
  const r = subscriber(alice, aliceAccount);
  const m = served.length;
  r.sub.subscribe();
  await run(120_000);
  t.is(served.length, m + 1);
  t.deepEqual(r.ends, [{ reason: 'terminated', by: 'rejected' }]);
  t.is(r.sub.state, 'ended');
  t.deepEqual(ends, []);
});

test('489 for a NOTIFY of another event, in the dialog and out of it; a refused SUBSCRIBE ends with its status', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const served = server(bob, (s) => {
    ok(bob, s);
    s.notifier.notify('active', { expires: 600 });
  });
  const { sub, notes } = subscriber(alice, aliceAccount);
  sub.subscribe();
  await run(20);
  const statuses: number[] = [];
  served[0]!.channel.request('NOTIFY', { headers: [['Event', 'presence'], ['Subscription-State', 'active']] }, (r) => statuses.push(r.status));
  served[0]!.channel.request('NOTIFY', { headers: [['Event', 'message-summary']] }, (r) => statuses.push(r.status));
  await run(20);
  t.deepEqual(statuses, [489, 400]);
  t.is(notes.length, 1);

  // Out of dialog: no handler for the event -> 489 with Allow-Events.
  const out: number[] = [];
  const notify = (event: string) => buildRequest({
    method: 'NOTIFY', uri: 'sip:alice@10.0.0.1', from: `<sip:bob@10.0.0.2>;tag=${bob.newTag()}`, to: '<sip:alice@10.0.0.1>',
    callId: bob.newCallId(), cseq: 1, headers: { Event: event, 'Subscription-State': 'active' },
    body: 'Messages-Waiting: yes\r\nVoice-Message: 3/1\r\n', contentType: MWI_TYPE,
  });
  bob.send(notify('dialog'), { onResponse: (r) => out.push(r.status), onFailure: () => t.fail() });
  await run(20);
  t.deepEqual(out, [405], 'no NOTIFY handler yet: 405');
  const mwi: Mwi[] = [];
  new Voicemail(alice, aliceAccount, { onMwi: (m) => mwi.push(m) });
  bob.send(notify('dialog'), { onResponse: (r) => out.push(r.status), onFailure: () => t.fail() });
  bob.send(notify('message-summary'), { onResponse: (r) => out.push(r.status), onFailure: () => t.fail() });
  await run(20);
  t.deepEqual(out.slice(1).sort(), [200, 489]);
  t.deepEqual(mwi, [{ waiting: true, newMessages: 3, oldMessages: 1, urgentNew: 0 }]);

  bob.handle('SUBSCRIBE', (req, tx) => bob.respond(tx, req, 404));
  const refused = subscriber(alice, aliceAccount);
  refused.sub.subscribe();
  await run(20);
  t.deepEqual(refused.ends, [{ reason: 'refused', status: 404, text: 'Not Found' }]);
  const bad = subscriber(alice, aliceAccount, { target: '<no uri>' });
  bad.sub.subscribe();
  t.deepEqual(bad.ends, [{ reason: 'refused', status: 400, text: 'Bad Address' }]);
  // A bare extension is a user at the account's domain.
  const ext = subscriber(alice, aliceAccount, { target: '201' });
  const seen: string[] = [];
  bob.handle('SUBSCRIBE', (req, tx) => bob.respond(tx, req, 404));
  alice.handle('SUBSCRIBE', (req, tx) => {
    seen.push(req.header('To')!);
    alice.respond(tx, req, 403);
  });
  ext.sub.subscribe();
  await run(20);
  t.deepEqual(seen, ['<sip:201@10.0.0.1>']);
  t.deepEqual(ext.ends, [{ reason: 'refused', status: 403, text: 'Forbidden' }]);
});

test('Voicemail subscribes to message-summary and turns NOTIFY bodies into the light and counts', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const served = server(bob, (s) => {
    ok(bob, s, 3600);
    s.notifier.notify('active', { expires: 3600, body: 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm\r\nVoice-Message: 2/8 (1/2)\r\n', contentType: MWI_TYPE });
  });
  const mwi: Mwi[] = [];
  const vm = new Voicemail(alice, aliceAccount, { onMwi: (m) => mwi.push(m), subscribeTo: 'sip:bob@10.0.0.2' });
  await run(20);
  t.deepEqual(mwi, [{ waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 1 }]);
  served[0]!.notifier.notify('active', { expires: 3000, body: 'Messages-Waiting: no\r\nVoice-Message: 0/10\r\n', contentType: MWI_TYPE });
  await run(20);
  t.deepEqual(mwi[1], { waiting: false, newMessages: 0, oldMessages: 10, urgentNew: 0 });
  vm.stop();
  await run(20);
  t.is(served[0]!.inDialog[0]!.header('Expires'), '0');
});

test('unsolicited message-summary NOTIFYs reach the voicemail of the account they name', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const got: Array<[string, number]> = [];
  new Voicemail(alice, aliceAccount, { onMwi: (m) => got.push(['alice', m.newMessages]) });
  new Voicemail(alice, { aor: { scheme: 'sip', user: 'carol', host: '10.0.0.1', params: {}, headers: {} } }, { onMwi: (m) => got.push(['carol', m.newMessages]) });
  const notify = (user: string, n: number) => buildRequest({
    method: 'NOTIFY', uri: `sip:${user}@10.0.0.1`, from: `<sip:vm@10.0.0.2>;tag=${bob.newTag()}`, to: `<sip:${user}@10.0.0.1>`,
    callId: bob.newCallId(), cseq: 1, headers: { Event: 'message-summary' },
    body: `Messages-Waiting: yes\r\nVoice-Message: ${n}/0\r\n`, contentType: MWI_TYPE,
  });
  const statuses: number[] = [];
  for (const [user, n] of [['carol', 4], ['alice', 2], ['dave', 7]] as const) {
    bob.send(notify(user, n), { onResponse: (r) => statuses.push(r.status), onFailure: () => t.fail() });
    await run(20);
  }
  t.deepEqual(statuses, [200, 200, 200]);
  // dave has no voicemail here: the first one registered takes it (a PBX may name an alias).
  t.deepEqual(got, [['carol', 4], ['alice', 2], ['alice', 7]]);
});

test('a terminated NOTIFY (rejected) that overtakes the 200 ends the subscription; the late 200 does not revive it', async (t) => {
  const { alice, bob, clock, aliceAccount, run } = await pair();
  const served = server(bob, (s) => {
    s.notifier.notify('terminated', { reason: 'rejected' });
    clock.setTimer(50, () => ok(bob, s));
  });
  const { sub, notes, ends } = subscriber(alice, aliceAccount);
  sub.subscribe();
  sub.subscribe(); // already under way: no second SUBSCRIBE
  await run(20);
  t.is(notes.length, 1);
  t.deepEqual(ends, []);
  await run(100);
  t.deepEqual(ends, [{ reason: 'terminated', by: 'rejected' }]);
  t.is(sub.dialogs.length, 0);
  await run(400_000);
  t.is(served.length, 1, 'no refresh, no new subscription');
  t.is(served[0]!.inDialog.length, 0);
});

test('a 200 with no NOTIFY within 64*T1 is a failed subscription: it is dropped and tried again later', async (t) => {
  const { alice, bob, aliceAccount, run } = await pair();
  const served = server(bob, (s) => ok(bob, s));
  const { sub } = subscriber(alice, aliceAccount, { retryMs: 10_000 });
  sub.subscribe();
  await run(20);
  t.is(sub.dialogs.length, 1);
  t.is(sub.state, 'subscribing');
  await run(32_000);
  t.is(sub.dialogs.length, 0);
  t.is(sub.state, 'waiting');
  t.deepEqual(served[0]!.inDialog.map((r) => r.header('Expires')), ['0']);
  await run(10_100);
  t.is(served.length, 2);
  t.not(served[1]!.req.callId, served[0]!.req.callId);
  sub.unsubscribe();
});
