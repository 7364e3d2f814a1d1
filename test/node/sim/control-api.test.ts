import test from 'ava';
import { defaultConfig } from '../../../host-sim/config.js';
import { startControlServer, type ControlServer } from '../../../host-sim/control-server.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';
import { ControlClient, type Snapshot } from './control-client.js';

let phones: SimPhone[] = [];
let server: ControlServer;

test.before(async () => {
  const config = defaultConfig(0, 5562, 5564);
  for (const p of config.phones) phones.push(await SimPhone.start({ id: p.id, settings: p.settings, address: p.address, sipPort: p.sipPort }));
  server = await startControlServer(phones, 0);
});

test.after.always(async () => {
  await server?.close();
  await Promise.all(phones.map((p) => p.stop()));
});

const post = (path: string, body: string, method = 'POST') => fetch(`${server.url}${path}`, { method, body, headers: { 'content-type': 'application/json' } });

test.serial('a whole call through the control API only: keys over the WebSocket and HTTP, state and events back', async (t) => {
  const c = await ControlClient.open(server.url);
  t.teardown(() => c.close());
  const hello = await c.waitFor((m) => m.type === 'hello', 'hello');
  const snaps = hello.phones as Snapshot[];
  t.deepEqual(snaps.map((p) => p.id), ['alice', 'bob']);
  t.is(snaps[0]!.screen.lines[1], 'Ready');
  t.deepEqual(hello.audio, { alice: 'default', bob: 'default' });

  // alice dials 102 (bob's number in her contacts) over the WebSocket, one key and then several.
  c.send({ op: 'key', phone: 'alice', key: '1' });
  c.send({ op: 'keys', phone: 'alice', keys: ['0', '2'] });
  await c.waitState('alice', (s) => s.screen.lines[1] === '102', 'digits shown');
  c.send({ op: 'key', phone: 'alice', key: '#' });
  const incoming = await c.waitFor((m) => m.type === 'event' && m.phone === 'bob' && (m.event as { type: string }).type === 'incoming', 'bob: incoming event');
  t.like(incoming.event as object, { type: 'incoming', from: 'sip:alice@127.0.0.1' });
  const ringing = await c.waitState('bob', (s) => s.calls[0]?.phase === 'incoming', 'ringing');
  t.is(ringing.screen.lines[0], 'Incoming: alice');
  t.is(ringing.screen.softKeys[0], 'Answer');

  // bob answers over HTTP; the reply is his snapshot.
  const answer = await post('/api/phones/bob/keys', JSON.stringify({ keys: ['soft1'] }));
  t.is(answer.status, 200);
  t.is(((await answer.json()) as Snapshot).id, 'bob');
  await c.waitFor((m) => m.type === 'event' && m.phone === 'alice' && (m.event as { type: string }).type === 'answered', 'alice: answered');
  await c.waitState('alice', (s) => s.calls[0]?.phase === 'connected', 'connected');

  // The connected time grows: ask for snapshots with the snapshot op.
  await new Promise((r) => setTimeout(r, 1200));
  const from = c.messages.length;
  c.send({ op: 'snapshot' });
  const again = await c.waitFor((m) => m.type === 'hello', 'snapshot reply', 5000, from);
  const alice = (again.phones as Snapshot[]).find((p) => p.id === 'alice')!;
  t.true(alice.calls[0]!.connectedMs! >= 1000, `connected for ${alice.calls[0]!.connectedMs} ms`);
  t.regex(alice.screen.lines[0], /^bob \(102\) 00:0[1-9]$/);

  // alice hangs up; both histories have the call, also over HTTP GET.
  c.send({ op: 'key', phone: 'alice', key: 'soft4' });
  const ended = await c.waitFor((m) => m.type === 'event' && m.phone === 'bob' && (m.event as { type: string }).type === 'ended', 'bob: ended');
  t.true((ended.event as { duration: number }).duration >= 1);
  await c.waitState('bob', (s) => s.calls.length === 0, 'idle');
  const list = (await (await fetch(`${server.url}/api/phones`)).json()) as Snapshot[];
  t.like(list.find((p) => p.id === 'alice')!.history[0], { kind: 'dialled', remote: '102', name: 'bob' });
  t.like(list.find((p) => p.id === 'bob')!.history[0], { kind: 'received', remote: 'alice' });
});

test.serial('bad requests over the WebSocket get error replies in plain words and change nothing', async (t) => {
  const c = await ControlClient.open(server.url);
  t.teardown(() => c.close());
  await c.waitFor((m) => m.type === 'hello', 'hello');
  const cases: Array<[unknown, RegExp]> = [
    ['not json', /^messages must be JSON$/],
    [{ op: 'dance', phone: 'alice' }, /^unknown op "dance"$/],
    [{ phone: 'alice', key: '1' }, /^unknown op undefined$/],
    [{ op: 'key', phone: 'carol', key: '1' }, /^no phone "carol"$/],
    [{ op: 'key', key: '1' }, /^no phone undefined$/],
    [{ op: 'key', phone: 'alice', key: 'X' }, /^not a key: "X"/],
    [{ op: 'key', phone: 'alice' }, /^not a key: undefined/],
    [{ op: 'keys', phone: 'alice', keys: [] }, /^keys must be a non-empty list/],
    [{ op: 'keys', phone: 'alice', keys: '102#' }, /^keys must be a non-empty list/],
    [{ op: 'keys', phone: 'alice', keys: ['1', 5] }, /^not a key: 5/],
  ];
  for (const [msg, expected] of cases) {
    const from = c.messages.length;
    c.send(msg);
    const reply = await c.waitFor((m) => m.type === 'error', `error for ${JSON.stringify(msg)}`, 5000, from);
    t.regex(reply.message as string, expected, JSON.stringify(msg));
  }
  // Nothing was pressed: alice's screen still shows Ready, no digits.
  t.is(phones[0]!.snapshot().screen.lines[1], 'Ready');
});

test.serial('bad requests over HTTP get 4xx with a JSON error', async (t) => {
  const expect = async (r: Promise<Response>, status: number, error: RegExp) => {
    const res = await r;
    t.is(res.status, status);
    t.regex(((await res.json()) as { error: string }).error, error);
  };
  await expect(post('/api/phones/carol/keys', JSON.stringify({ keys: ['1'] })), 404, /^no phone carol$/);
  await expect(post('/api/phones/alice/keys', '{oops'), 400, /^body must be JSON/);
  await expect(post('/api/phones/alice/keys', JSON.stringify({ keys: ['1', 'X'] })), 400, /^not a key: "X"/);
  await expect(post('/api/phones/alice/keys', JSON.stringify({})), 400, /^keys must be a non-empty list/);
  await expect(post('/api/phones/alice/keys', 'null'), 400, /^keys must be a non-empty list/);
  await expect(post('/api/phones', '{}', 'PUT'), 405, /^method not allowed$/);
  await expect(fetch(`${server.url}/api/nothing`), 404, /^not found$/);
  await expect(fetch(`${server.url}/../../etc/passwd`), 404, /^not found$/);
  t.is(phones[0]!.snapshot().screen.lines[1], 'Ready', 'nothing was pressed');
});
