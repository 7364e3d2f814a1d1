/**
 * What the services need of an account to send out-of-dialog requests: who we are, how to authenticate, and where
 * requests go first (outbound proxy, RFC 3608 Service-Route). Registration provides all of it.
 */
import type { CredentialsCache } from '../auth/credentials-cache.js';
import { buildRequest, type BuiltRequest, type HeaderInit } from '../build.js';
import { formatNameAddr } from '../headers/name-addr.js';
import type { SipMessage } from '../message.js';
import type { TypedHeaders } from '../parser/typed.js';
import type { Registration } from '../ua/registration.js';
import type { SendOptions, UserAgent } from '../ua/user-agent.js';
import { formatUri, parseUri, type SipUri, type Uri } from '../uri.js';
import { utf8Decoder } from '../../utf8.js';

export interface ServiceAccount {
  /** Our address of record: the From of our requests. */
  aor: SipUri;
  displayName?: string;
  credentials?: CredentialsCache;
  outboundProxy?: SipUri;
  /** Routes to preload (Service-Route learnt at registration); read at each send. */
  routes?: () => readonly string[];
}

/** The account of a registration, following its Service-Route as it changes. */
export function accountOf(reg: Registration): ServiceAccount {
  const a: ServiceAccount = { aor: reg.aor, credentials: reg.credentials, routes: () => reg.serviceRoute };
  if (reg.account.displayName !== undefined) a.displayName = reg.account.displayName;
  if (reg.account.outboundProxy !== undefined) a.outboundProxy = reg.account.outboundProxy;
  return a;
}

/** Every message in xsphone is parsed or built, so both carry the typed getters (Event, Subscription-State...). */
export function typed<T extends SipMessage>(m: T): T & TypedHeaders {
  return m as T & TypedHeaders;
}

export function toUri(target: Uri | string): Uri {
  return typeof target === 'string' ? parseUri(target) : target;
}

/**
 * What a user typed as a destination: a URI as is, "user@host" as a sip: URI, a bare user or number at the
 * account's domain. Throws SipError when it is none of these.
 */
export function resolveTarget(account: ServiceAccount, target: Uri | string): Uri {
  if (typeof target !== 'string') return target;
  const t = target.trim();
  if (/^(sips?|tel):/i.test(t)) return parseUri(t);
  if (t.includes('@')) return parseUri(`sip:${t}`);
  const port = account.aor.port !== undefined ? `:${account.aor.port}` : '';
  return parseUri(`sip:${t}@${account.aor.host}${port}`);
}

export interface OutOfDialogInit {
  method: string;
  target: Uri | string;
  callId?: string;
  fromTag?: string;
  cseq?: number;
  headers?: HeaderInit;
  body?: string | Uint8Array;
  contentType?: string;
}

/** A new out-of-dialog request from the account's identity, with its preloaded routes. */
export function outOfDialogRequest(ua: UserAgent, account: ServiceAccount, init: OutOfDialogInit): BuiltRequest {
  const uri = toUri(init.target);
  const from = formatNameAddr({ ...(account.displayName !== undefined ? { displayName: account.displayName } : {}), uri: account.aor, params: { tag: init.fromTag ?? ua.newTag() } });
  const routes = account.routes?.() ?? [];
  return buildRequest({
    method: init.method,
    uri,
    from,
    to: `<${formatUri(uri)}>`,
    callId: init.callId ?? ua.newCallId(),
    cseq: init.cseq ?? 1,
    ...(routes.length ? { route: routes.slice() } : {}),
    ...(init.headers !== undefined ? { headers: init.headers } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.contentType !== undefined ? { contentType: init.contentType } : {}),
  });
}

/** Send options for the account; withContact sets a Contact that matches the transport of each attempt. */
export function sendOptions(ua: UserAgent, account: ServiceAccount, withContact = false): SendOptions {
  const o: SendOptions = {};
  if (account.credentials) o.credentials = account.credentials;
  if (account.outboundProxy) o.outboundProxy = account.outboundProxy;
  if (withContact) {
    const user = account.aor.user ?? '';
    o.prepare = (r, target) => void r.setHeader('Contact', `<${formatUri(ua.contactUri(user, target.protocol))}>`);
  }
  return o;
}

export function bodyText(m: SipMessage): string {
  return m.body.length ? utf8Decoder().decode(m.body) : '';
}
