import test from 'ava';
import { buildRequest, buildResponse } from '../../../../src/sip/build.js';
import type { SipRequest } from '../../../../src/sip/message.js';
import { DialogEndpoint, handleOutOfDialogRefers, handleRefers, sendRefer, type ReferProgress, type ReferRequest, type ServiceDialog } from '../../../../src/sip/services/refer.js';
import { Dialog } from '../../../../src/sip/ua/dialog.js';
import type { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { formatUri } from '../../../../src/sip/uri.js';
import { pair } from './harness.js';

/** An established dialog between alice (UAC) and bob (UAS), as a call would leave it. */
function dialogs(alice: UserAgent, bob: UserAgent) {
  const invite = buildRequest({
    method: 'INVITE', uri: 'sip:bob@10.0.0.2', from: `<sip:alice@10.0.0.1>;tag=${alice.newTag()}`, to: '<sip:bob@10.0.0.2>',
    callId: alice.newCallId(), cseq: 1, contact: '<sip:alice@10.0.0.1:5060>',
  });
  const ok = buildResponse(invite, 200, undefined, { toTag: bob.newTag(), headers: { Contact: '<sip:bob@10.0.0.2:5060>' } });
  const a = new DialogEndpoint(alice, Dialog.asUac(invite, ok), 'alice');
  const b = new DialogEndpoint(bob, Dialog.asUas(invite, ok.to.params['tag']!, false), 'bob');
  return { a, b, invite, ok };
}

/** Records the requests a ServiceDialog's handlers receive. */
function recording(d: ServiceDialog, seen: SipRequest[]): ServiceDialog {
  return {
    request: (...args) => d.request(...args),
    handleMethod: (m, h) => d.handleMethod(m, (r, tx) => {
      seen.push(r);
      h(r, tx);
    }),
  };
}

test('REFER with Replaces and Referred-By: 202, NOTIFY sipfrag 100 … 180 … 200, subscription terminated', async (t) => {
  const { alice, bob, run } = await pair();
  const { a, b } = dialogs(alice, bob);
  const refers: ReferRequest[] = [];
  const referSeen: SipRequest[] = [];
  handleRefers(bob, recording(b, referSeen), (r) => refers.push(r));
  const progress: ReferProgress[] = [];
  const notifies: SipRequest[] = [];
  const replaces = { callId: 'abc@10.0.0.3', toTag: 't1', fromTag: 'f1', earlyOnly: false, params: {} };
  t.true(sendRefer(alice, recording(a, notifies), { target: 'sip:carol@10.0.0.3', replaces, referredBy: '<sip:alice@10.0.0.1>', onProgress: (p) => progress.push(p) }));
  await run(20);
  t.is(referSeen.length, 1);
  t.regex(referSeen[0]!.header('Refer-To')!, /^<sip:carol@10\.0\.0\.3\?Replaces=abc%4010\.0\.0\.3%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>$/);
  t.is(referSeen[0]!.header('Referred-By'), '<sip:alice@10.0.0.1>');
  t.is(refers.length, 1);
  const r = refers[0]!;
  t.is(formatUri(r.target), 'sip:carol@10.0.0.3');
  t.deepEqual({ ...r.replaces!, params: {} }, replaces);
  t.is(formatUri(r.referredBy!.uri), 'sip:alice@10.0.0.1');
  t.deepEqual(progress, [{ type: 'accepted' }, { type: 'progress', status: 100, reason: 'Trying' }]);
  r.report(180, 'Ringing');
  await run(20);
  r.report(200, 'OK');
  await run(20);
  r.report(200, 'OK'); // after the final report: nothing more is sent
  await run(20);
  t.deepEqual(progress.slice(2), [{ type: 'progress', status: 180, reason: 'Ringing' }, { type: 'done', ok: true, status: 200, reason: 'OK' }]);
  t.deepEqual(notifies.map((n) => n.header('Subscription-State')), ['active;expires=60', 'active;expires=60', 'terminated;reason=noresource']);
  t.true(notifies.every((n) => n.header('Event') === 'refer' && n.header('Content-Type') === 'message/sipfrag'));
  t.deepEqual(notifies.map((n) => new TextDecoder().decode(n.body)), ['SIP/2.0 100 Trying\r\n', 'SIP/2.0 180 Ringing\r\n', 'SIP/2.0 200 OK\r\n']);
  // The implicit subscription is over: another refer NOTIFY gets 481; a NOTIFY of another event 489.
  const statuses: number[] = [];
  b.request('NOTIFY', { headers: [['Event', 'refer'], ['Subscription-State', 'active']], body: 'SIP/2.0 180 Ringing\r\n', contentType: 'message/sipfrag' }, (x) => statuses.push(x.status));
  await run(20);
  b.request('NOTIFY', { headers: [['Event', 'dialog'], ['Subscription-State', 'active']] }, (x) => statuses.push(x.status));
  await run(20);
  t.deepEqual(statuses, [481, 489]);
});

test('REFER outcomes: a failed new call, a refused REFER, a REFER without Refer-To, Refer-Sub: false', async (t) => {
  const { alice, bob, run } = await pair();
  const { a, b } = dialogs(alice, bob);
  let refers: ReferRequest[] = [];
  handleRefers(bob, b, (r) => refers.push(r));
  const progress: ReferProgress[] = [];
  sendRefer(alice, a, { target: 'sip:carol@10.0.0.3', onProgress: (p) => progress.push(p) });
  await run(20);
  refers[0]!.report(486, 'Busy Here');
  await run(20);
  t.deepEqual(progress[progress.length - 1], { type: 'done', ok: false, status: 486, reason: 'Busy Here' });

  // A second REFER in the same dialog: its NOTIFYs carry id=<CSeq of the REFER>.
  const second: ReferProgress[] = [];
  const seen: SipRequest[] = [];
  sendRefer(alice, recording(a, seen), { target: 'sip:dave@10.0.0.4', onProgress: (p) => second.push(p) });
  await run(20);
  t.regex(seen[0]!.header('Event')!, /^refer;id=\d+$/);
  refers[1]!.report(200, 'OK');
  await run(20);
  t.deepEqual(second[second.length - 1], { type: 'done', ok: true, status: 200, reason: 'OK' });

  b.handleMethod('REFER', (req, tx) => bob.respond(tx, req, 603));
  const refused: ReferProgress[] = [];
  sendRefer(alice, a, { target: 'sip:carol@10.0.0.3', onProgress: (p) => refused.push(p) });
  await run(20);
  t.deepEqual(refused, [{ type: 'done', ok: false, status: 603, reason: 'Decline' }]);

  refers = [];
  handleRefers(bob, b, (r) => refers.push(r));
  const statuses: number[] = [];
  const stray: SipRequest[] = [];
  a.handleMethod('NOTIFY', (req, tx) => {
    stray.push(req);
    alice.respond(tx, req, 200);
  });
  a.request('REFER', {}, (x) => statuses.push(x.status));
  const noSub: SipRequest[] = [];
  handleRefers(bob, recording(b, noSub), (r) => {
    refers.push(r);
    r.report(200, 'OK');
  });
  let referSub: string | undefined;
  a.request('REFER', { headers: [['Refer-To', '<sip:carol@10.0.0.3>'], ['Refer-Sub', 'false']] }, (x) => {
    statuses.push(x.status);
    referSub = x.header('Refer-Sub');
  });
  await run(50);
  t.deepEqual(statuses, [400, 202]);
  t.is(referSub, 'false');
  t.is(stray.length, 0, 'no NOTIFY without a subscription');
  t.is(refers.length, 1);
});

test('out-of-dialog REFER (click-to-dial): refused by the accept hook with 403, else 202 with its own dialog and sipfrag NOTIFYs', async (t) => {
  const { alice, bob, run } = await pair();
  const refers: ReferRequest[] = [];
  handleOutOfDialogRefers(bob, 'bob', (r) => refers.push(r), (req) => req.header('Referred-By') !== undefined);
  const refer = (by: boolean) => buildRequest({
    method: 'REFER', uri: 'sip:bob@10.0.0.2', from: `<sip:pbx@10.0.0.1>;tag=${alice.newTag()}`, to: '<sip:bob@10.0.0.2>',
    callId: alice.newCallId(), cseq: 1, contact: '<sip:pbx@10.0.0.1:5060>',
    headers: { 'Refer-To': '<sip:carol@10.0.0.3>', ...(by ? { 'Referred-By': '<sip:pbx@10.0.0.1>' } : {}) },
  });
  const statuses: number[] = [];
  let toTag: string | undefined;
  alice.send(refer(false), { onResponse: (r) => statuses.push(r.status), onFailure: () => t.fail() });
  const req = refer(true);
  const notifies: SipRequest[] = [];
  alice.send(req, { onResponse: (r, out) => {
    statuses.push(r.status);
    toTag = r.to.params['tag'] ?? undefined;
    // The PBX side of the REFER's dialog, from the 202.
    new DialogEndpoint(alice, Dialog.asUac(out.request, r), 'pbx').handleMethod('NOTIFY', (n, tx) => {
      notifies.push(n);
      alice.respond(tx, n, 200);
    });
  }, onFailure: () => t.fail() });
  await run(20);
  t.deepEqual(statuses, [403, 202]);
  t.is(refers.length, 1);
  // The first NOTIFY is in the REFER's dialog: our tag as To, theirs as From.
  t.is(notifies.length, 1);
  t.is(notifies[0]!.from.params['tag'], toTag ?? null);
  t.is(notifies[0]!.to.params['tag'], req.from.params['tag']);
  refers[0]!.report(200, 'OK');
  await run(20);
  t.is(notifies[1]!.header('Subscription-State'), 'terminated;reason=noresource');
  t.is(notifies[1]!.cseq.seq, notifies[0]!.cseq.seq + 1);
});
