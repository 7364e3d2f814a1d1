import test from 'ava';
import { Registration, type RegistrationState } from '../../src/sip/ua/registration.js';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { closeUserAgent, hostUserAgent } from './host-ua.js';
import { ensurePeers, KAMAILIO, registeredContacts, waitFor } from './peers.js';

test.before(() => ensurePeers('kamailio'));

const registrar = (transport = 'udp') => parseUri(`sip:${KAMAILIO.address}:${KAMAILIO.port}${transport === 'udp' ? '' : `;transport=${transport}`}`) as SipUri;

async function register(user: string, password: string, transport = 'udp') {
  const ua = await hostUserAgent();
  const states: RegistrationState[] = [];
  const reg = new Registration(ua, { user, password, domain: '127.0.0.1', registrar: registrar(transport), expires: 300 }, { onState: (s) => states.push(s) });
  reg.start();
  await waitFor(() => reg.state.state === 'registered' || reg.state.state === 'failed', 10_000, `${user} to register`);
  return { ua, reg, states };
}

for (const transport of ['udp', 'tcp']) {
  test.serial(`registers with digest auth over ${transport}, is found by Kamailio, and unregisters`, async (t) => {
    const { ua, reg } = await register('carol', 'carolpw', transport);
    try {
      t.is(reg.state.state, 'registered');
      const port = ua.transport.localPort(transport === 'udp' ? 'UDP' : 'TCP');
      const contacts = registeredContacts('carol');
      t.true(contacts.some((c) => c.includes(`127.0.0.1:${port}`)), contacts.join(' '));
      await reg.stop();
      t.is(reg.state.state, 'unregistered');
      await waitFor(() => !registeredContacts('carol').some((c) => c.includes(`127.0.0.1:${port}`)), 5000, 'the contact to go');
    } finally {
      closeUserAgent(ua);
    }
  });
}

test.serial('a wrong password fails with 401 and the reason, without looping', async (t) => {
  const { ua, reg } = await register('carol', 'wrong');
  try {
    const st = reg.state;
    t.is(st.state, 'failed');
    if (st.state === 'failed') {
      t.is(st.status, 401);
      t.true(st.retryInMs >= 1000);
    }
  } finally {
    await reg.stop();
    closeUserAgent(ua);
  }
});

test.serial('an unknown user is refused with 403', async (t) => {
  const { ua, reg } = await register('mallory', 'x');
  try {
    const st = reg.state;
    t.is(st.state, 'failed');
    if (st.state === 'failed') t.is(st.status, 403);
  } finally {
    await reg.stop();
    closeUserAgent(ua);
  }
});
