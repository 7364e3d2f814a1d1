import test from 'ava';
import type { SipRequest, SipResponse } from '../../../../src/sip/message.js';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { TransactionLayer, type ServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import type { Source } from '../../../../src/sip/transport/types.js';
import { createMessageFactory } from '../../../../src/sip/transaction/messages.js';
import { SeededRandom } from '../transport/helpers.js';
import { isStatus, MiniRequest, recorder, request, response, setup, source, UDP_TARGET } from './helpers.js';

function layer(options = {}) {
  const env = setup();
  const requests: Array<{ request: SipRequest; tx: ServerTransaction | undefined; source: Source }> = [];
  const strays: SipResponse[] = [];
  const l = new TransactionLayer(
    env.ctx,
    {
      onRequest: (request, tx, src) => requests.push({ request, tx, source: src }),
      onStrayResponse: (r) => strays.push(r),
    },
    options,
  );
  return { ...env, l, requests, strays };
}

test('responses match the client transaction by branch and CSeq method; others are strays', (t) => {
  const { clock, l, strays } = layer();
  const rec = recorder(clock);
  const invite = request('INVITE', { branch: 'z9hG4bKaaa' });
  const tx = l.request(invite, UDP_TARGET, rec.user);
  t.is(l.clientCount, 1);
  const cancelRes = response(request('CANCEL', { branch: 'z9hG4bKaaa' }), 200);
  l.receive(cancelRes, source());
  t.deepEqual(strays, [cancelRes], 'same branch, method CANCEL: not the INVITE transaction');
  const other = response(request('INVITE', { branch: 'z9hG4bKbbb' }), 180);
  l.receive(other, source());
  t.is(strays.length, 2);
  l.receive(response(invite, 180), source());
  t.is(tx.state, 'proceeding');
  t.deepEqual(rec.events, ['0 response 180']);
});

test('a CANCEL client transaction shares the INVITE branch but is separate', (t) => {
  const { clock, l } = layer();
  const a = recorder(clock);
  const b = recorder(clock);
  const invite = request('INVITE', { branch: 'z9hG4bKccc' });
  const cancel = request('CANCEL', { branch: 'z9hG4bKccc' });
  l.request(invite, UDP_TARGET, a.user);
  l.request(cancel, UDP_TARGET, b.user);
  l.receive(response(cancel, 200), source());
  l.receive(response(invite, 487), source());
  t.deepEqual(a.events, ['0 response 487']);
  t.deepEqual(b.events, ['0 response 200']);
});

test('client transactions leave the table when they terminate', (t) => {
  const { clock, l } = layer();
  const req = request('OPTIONS', { branch: 'z9hG4bKopt' });
  l.request(req, UDP_TARGET, recorder(clock).user);
  l.receive(response(req, 200), source());
  t.is(l.clientCount, 1);
  clock.advance(5000);
  t.is(l.clientCount, 0);
});

test('requests without a z9hG4bK branch or ACKs are refused by request()', (t) => {
  const { clock, l } = layer();
  t.throws(() => l.request(request('OPTIONS', { branch: 'old' }), UDP_TARGET, recorder(clock).user));
  t.throws(() => l.request(request('ACK'), UDP_TARGET, recorder(clock).user));
});

test('a new request creates a server transaction; its retransmission is absorbed', (t) => {
  const { l, requests, transport } = layer();
  const req = request('OPTIONS', { branch: 'z9hG4bKs1' });
  l.receive(req, source());
  t.is(requests.length, 1);
  const tx = requests[0]!.tx!;
  t.is(tx.request, req);
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs1' }), source());
  t.is(requests.length, 1);
  tx.respond(response(req, 200));
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs1' }), source());
  t.deepEqual(transport.times(isStatus(200)), [0, 0]);
});

test('server matching includes the sent-by: same branch from another host is a new transaction', (t) => {
  const { l, requests } = layer();
  // In-dialog (To tag) so that merged-request detection stays out of the way.
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs2', toTag: 'd', sentBy: '192.0.2.1:5060' }), source());
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs2', toTag: 'd', sentBy: '192.0.2.7:5060' }), source());
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs2', toTag: 'd', sentBy: '192.0.2.1:5070' }), source());
  l.receive(request('OPTIONS', { branch: 'z9hG4bKs2', toTag: 'd', sentBy: '192.0.2.1:5070' }), source());
  t.is(requests.length, 3);
});

test('ACK for a non-2xx matches the INVITE server transaction and is absorbed', (t) => {
  const { clock, l, requests } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKi1' });
  l.receive(invite, source());
  const tx = requests[0]!.tx as InviteServerTransaction;
  tx.respond(response(invite, 486));
  l.receive(request('ACK', { branch: 'z9hG4bKi1', toTag: 'tt1' }), source());
  t.is(tx.state, 'confirmed');
  t.is(requests.length, 1);
  clock.advance(5000);
  t.is(l.serverCount, 0);
});

test('ACK for a 2xx (new branch) goes to the TU with no transaction', (t) => {
  const { l, requests } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKi2' });
  l.receive(invite, source());
  (requests[0]!.tx as InviteServerTransaction).respond(response(invite, 200));
  l.receive(request('ACK', { branch: 'z9hG4bKack2', toTag: 'tt1' }), source());
  t.is(requests.length, 2);
  t.is(requests[1]!.request.method, 'ACK');
  t.is(requests[1]!.tx, undefined);
});

test('ACK reusing the INVITE branch while Accepted is passed to the TU (RFC 6026)', (t) => {
  const { l, requests } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKi3' });
  l.receive(invite, source());
  (requests[0]!.tx as InviteServerTransaction).respond(response(invite, 200));
  l.receive(request('ACK', { branch: 'z9hG4bKi3', toTag: 'tt1' }), source());
  t.is(requests.length, 2);
  t.is(requests[1]!.tx, undefined);
});

test('CANCEL gets its own transaction and findCancelled finds the INVITE (§9.2)', (t) => {
  const { l, requests } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKi4' });
  l.receive(invite, source());
  const cancel = request('CANCEL', { branch: 'z9hG4bKi4' });
  l.receive(cancel, source());
  t.is(requests.length, 2);
  t.not(requests[1]!.tx, requests[0]!.tx);
  t.is<unknown, unknown>(l.findCancelled(cancel), requests[0]!.tx);
  t.is(l.findCancelled(request('CANCEL', { branch: 'z9hG4bKother' })), undefined);
  t.is(l.findCancelled(request('CANCEL', { branch: 'z9hG4bKi4', sentBy: '198.51.100.1' })), undefined);
});

test('merged request (§8.2.2.2): same From tag, Call-ID and CSeq by another branch gets 482, TU not told', (t) => {
  const { l, requests, transport } = layer();
  l.receive(request('INVITE', { branch: 'z9hG4bKpath1' }), source());
  l.receive(request('INVITE', { branch: 'z9hG4bKpath2', sentBy: '198.51.100.2:5060' }), source('UDP', '198.51.100.2'));
  t.is(requests.length, 1);
  const sent = transport.sent.map((s) => s.message);
  t.is(sent.length, 1);
  t.true(sent[0]!.kind === 'response' && sent[0]!.status === 482);
  t.is(sent[0]!.via[0]!.branch, 'z9hG4bKpath2');
  t.is(transport.sent[0]!.out.address, '198.51.100.2');
});

test('merged-request detection ignores in-dialog requests and can be turned off', (t) => {
  const a = layer();
  a.l.receive(request('BYE', { branch: 'z9hG4bKb1', toTag: 'x' }), source());
  a.l.receive(request('BYE', { branch: 'z9hG4bKb2', toTag: 'x' }), source());
  t.is(a.requests.length, 2);
  const b = layer({ detectMergedRequests: false });
  b.l.receive(request('INVITE', { branch: 'z9hG4bKp1' }), source());
  b.l.receive(request('INVITE', { branch: 'z9hG4bKp2' }), source());
  t.is(b.requests.length, 2);
});

test('a request is no longer "merged" once the first transaction ended', (t) => {
  const { clock, l, requests } = layer();
  const first = request('OPTIONS', { branch: 'z9hG4bKo1' });
  l.receive(first, source());
  requests[0]!.tx!.respond(response(first, 200));
  clock.advance(32_000);
  l.receive(request('OPTIONS', { branch: 'z9hG4bKo2' }), source());
  t.is(requests.length, 2);
});

test('RFC 2543 fallback: branch-less retransmissions match, ACK with our To tag matches the INVITE', (t) => {
  const { l, requests, transport } = layer();
  const invite = request('INVITE', { branch: undefined });
  l.receive(invite, source());
  l.receive(request('INVITE', { branch: undefined }), source());
  t.is(requests.length, 1);
  const tx = requests[0]!.tx as InviteServerTransaction;
  tx.respond(response(invite, 486, 'mytag'));
  l.receive(request('INVITE', { branch: undefined }), source());
  t.deepEqual(transport.times(isStatus(486)), [0, 0]);
  l.receive(request('ACK', { branch: undefined, toTag: 'othertag' }), source());
  t.is(tx.state, 'completed', 'an ACK with a different To tag does not match');
  l.receive(request('ACK', { branch: undefined, toTag: 'mytag' }), source());
  t.is(tx.state, 'confirmed');
  l.receive(request('INVITE', { branch: undefined, seq: 2 }), source());
  t.is(requests.length, 3, 'the stray ACK and a new CSeq are new to the TU');
});

test('RFC 2543 fallback: CANCEL finds the branch-less INVITE', (t) => {
  const { l, requests } = layer();
  l.receive(request('INVITE', { branch: undefined }), source());
  const cancel = request('CANCEL', { branch: undefined });
  l.receive(cancel, source());
  t.is<unknown, unknown>(l.findCancelled(cancel), requests[0]!.tx);
});

test('send2xx: 2xx retransmitted T1 doubling to T2 until the ACK, which reaches the TU', (t) => {
  const { clock, l, requests, transport } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKr1' });
  l.receive(invite, source());
  const tx = requests[0]!.tx as InviteServerTransaction;
  let noAck = 0;
  const acks: SipRequest[] = [];
  l.send2xx(tx, response(invite, 200, 'dlg'), () => noAck++, (a) => acks.push(a));
  clock.advance(12_000);
  t.deepEqual(transport.times(isStatus(200)), [0, 500, 1500, 3500, 7500, 11500]);
  l.receive(request('ACK', { branch: 'z9hG4bKa', toTag: 'dlg' }), source());
  t.is(acks.length, 1);
  t.is(requests[1]!.request.method, 'ACK');
  clock.advance(60_000);
  t.is(transport.times(isStatus(200)).length, 6);
  t.is(noAck, 0);
});

test('send2xx: no ACK within 64*T1 reports to the TU', (t) => {
  const { clock, l, requests, transport } = layer();
  const invite = request('INVITE', { branch: 'z9hG4bKr2' });
  l.receive(invite, source());
  const tx = requests[0]!.tx as InviteServerTransaction;
  const gaveUp: number[] = [];
  l.send2xx(tx, response(invite, 200, 'dlg'), () => gaveUp.push(clock.now()));
  l.receive(request('ACK', { branch: 'z9hG4bKa', toTag: 'other' }), source());
  clock.advance(40_000);
  t.deepEqual(gaveUp, [32_000]);
  t.deepEqual(transport.times(isStatus(200)), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.is(l.retransmitter.size, 0);
});

test('shutdown terminates every transaction', (t) => {
  const { clock, l } = layer();
  l.request(request('INVITE', { branch: 'z9hG4bKx1' }), UDP_TARGET, recorder(clock).user);
  l.receive(request('OPTIONS', { branch: 'z9hG4bKx2' }), source());
  l.shutdown();
  t.is(l.clientCount, 0);
  t.is(l.serverCount, 0);
  t.is(clock.pending, 0);
});

test('a request with a malformed header is answered statelessly with its SipError status, not passed up', (t) => {
  const { l, requests, transport } = layer();
  const good = request('OPTIONS', { branch: 'z9hG4bKbad' });
  const bad = new MiniRequest('OPTIONS', 'sip:bob@example.com', good.lines.map(([k, v]) => [k, k === 'CSeq' ? 'x OPTIONS' : v] as [string, string]));
  l.receive(bad, source());
  t.is(requests.length, 0);
  t.is(transport.sent.length, 1);
  t.true(transport.sent[0]!.message.kind === 'response' && transport.sent[0]!.message.status === 400);
  const badAck = new MiniRequest('ACK', 'sip:bob@example.com', bad.lines);
  l.receive(badAck, source());
  t.is(transport.sent.length, 1, 'never answer an ACK');
});

test('request() leaves no entry behind when sending fails synchronously', (t) => {
  const { clock, l, transport } = layer();
  transport.prepareRequest = () => {
    throw new Error('cannot serialize');
  };
  t.throws(() => l.request(request('OPTIONS', { branch: 'z9hG4bKfail' }), UDP_TARGET, recorder(clock).user), { message: 'cannot serialize' });
  t.is(l.clientCount, 0);
});

test('answerCancel (§9.2): 200 to the CANCEL with the INVITE\'s To tag, INVITE handed back for 487; 481 when unmatched', (t) => {
  const env = setup(undefined, createMessageFactory(new SeededRandom(3)));
  const requests: Array<{ request: SipRequest; tx: ServerTransaction | undefined }> = [];
  const l = new TransactionLayer(env.ctx, { onRequest: (request, tx) => requests.push({ request, tx }) });
  const invite = request('INVITE', { branch: 'z9hG4bKcan' });
  l.receive(invite, source());
  const inviteTx = requests[0]!.tx as InviteServerTransaction;
  inviteTx.respond(response(invite, 180, 'ring-tag'));
  const cancel = request('CANCEL', { branch: 'z9hG4bKcan' });
  l.receive(cancel, source());
  t.is(l.answerCancel(cancel, requests[1]!.tx!), inviteTx);
  const ok = env.transport.sent.at(-1)!.message as SipResponse;
  t.is(ok.status, 200);
  t.is(ok.cseq.method, 'CANCEL');
  t.is(ok.to.params['tag'], 'ring-tag');
  inviteTx.respond(response(invite, 487, 'ring-tag'));
  const late = request('CANCEL', { branch: 'z9hG4bKcan', sentBy: '192.0.2.1:5060' });
  t.is(l.answerCancel(late, requests[1]!.tx!), undefined, 'the INVITE already has its final response');
  const stray = request('CANCEL', { branch: 'z9hG4bKnothing', callId: 'other-call' });
  l.receive(stray, source());
  t.is(l.answerCancel(stray, requests[2]!.tx!), undefined);
  t.is((env.transport.sent.at(-1)!.message as SipResponse).status, 481);
});
