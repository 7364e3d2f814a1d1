/**
 * Header names: compact forms (RFC 3261 §7.3.3 and later RFCs), canonical spellings for output,
 * and small integer ids for the headers the parser indexes, so lookups compare numbers, not strings.
 */

// XS boxes a primitive string into a new String object (two heap slots) on every property access, so the
// hot paths call String.prototype methods with the string as `this`; module-local consts let V8 inline them.
const charCodeAt = String.prototype.charCodeAt;
const startsWith = String.prototype.startsWith;

/** Ids of the headers the parser recognises. 0 means "some other header". */
export const enum H {
  Other = 0,
  CallId, CSeq, From, To, Via, ContentLength, ContentType, Contact, MaxForwards, Route, RecordRoute,
  Expires, MinExpires, WwwAuthenticate, ProxyAuthenticate, Authorization, ProxyAuthorization,
  Allow, Supported, Require, ProxyRequire, Unsupported, Event, SubscriptionState, ReferTo, ReferredBy,
  Replaces, RSeq, RAck, SessionExpires, MinSE, UserAgent, Server, Accept, Date, Warning, Reason,
  Subject, ContentEncoding, AllowEvents, RetryAfter, ContentDisposition, AcceptEncoding, AcceptLanguage,
  ContentLanguage, MimeVersion, Organization, Priority, Timestamp, CallInfo, AlertInfo, ErrorInfo,
  InReplyTo, ReplyTo, Path, ServiceRoute, PAssertedIdentity, PPreferredIdentity, Privacy,
  AcceptContact, RejectContact, RequestDisposition, Identity, IdentityInfo,
}

/** Canonical spelling, indexed by id (index 0 unused). Lower-casing it gives the lookup key. */
export const CANONICAL: readonly string[] = [
  '',
  'Call-ID', 'CSeq', 'From', 'To', 'Via', 'Content-Length', 'Content-Type', 'Contact', 'Max-Forwards', 'Route',
  'Record-Route', 'Expires', 'Min-Expires', 'WWW-Authenticate', 'Proxy-Authenticate', 'Authorization',
  'Proxy-Authorization', 'Allow', 'Supported', 'Require', 'Proxy-Require', 'Unsupported', 'Event',
  'Subscription-State', 'Refer-To', 'Referred-By', 'Replaces', 'RSeq', 'RAck', 'Session-Expires', 'Min-SE',
  'User-Agent', 'Server', 'Accept', 'Date', 'Warning', 'Reason', 'Subject', 'Content-Encoding', 'Allow-Events',
  'Retry-After', 'Content-Disposition', 'Accept-Encoding', 'Accept-Language', 'Content-Language', 'MIME-Version',
  'Organization', 'Priority', 'Timestamp', 'Call-Info', 'Alert-Info', 'Error-Info', 'In-Reply-To', 'Reply-To',
  'Path', 'Service-Route', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Privacy', 'Accept-Contact',
  'Reject-Contact', 'Request-Disposition', 'Identity', 'Identity-Info',
];

/** Compact form letter -> id. */
const COMPACT: Readonly<Record<string, H>> = {
  i: H.CallId, m: H.Contact, f: H.From, t: H.To, v: H.Via, l: H.ContentLength, c: H.ContentType,
  k: H.Supported, s: H.Subject, e: H.ContentEncoding, o: H.Event, r: H.ReferTo, b: H.ReferredBy,
  u: H.AllowEvents, x: H.SessionExpires, a: H.AcceptContact, j: H.RejectContact, d: H.RequestDisposition,
  y: H.Identity, n: H.IdentityInfo,
};

/**
 * Lookup keys the parser stores per header field: name length (capped at 127) in bits 24-30 and the
 * lower-cased first character in bits 16-23. Equal keys are only candidates; the name is then compared.
 */
export function nameKey(len: number, firstLower: number): number {
  return ((len > 127 ? 127 : len) << 24) | ((firstLower & 0xff) << 16);
}

/** Key of each id's full name, and of its compact form (-1 when it has none). */
export const FULL_KEY: readonly number[] = CANONICAL.map((n) => (n === '' ? -1 : nameKey(n.length, n.charCodeAt(0) | 0x20)));
export const COMPACT_KEY: readonly number[] = CANONICAL.map((_, id) => {
  const letter = Object.keys(COMPACT).find((k) => COMPACT[k] === id);
  return letter === undefined ? -1 : nameKey(1, letter.charCodeAt(0));
});

/** Compact letter for ids that have one (used when a caller asks for compact output). */
export const COMPACT_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(COMPACT).map(([letter, id]) => [CANONICAL[id]!.toLowerCase(), letter]),
);

/** [lower-case name, canonical name, id] grouped by name length, for idAt(). */
const BY_LENGTH: ReadonlyArray<ReadonlyArray<readonly [string, string, H]>> = (() => {
  const groups: Array<Array<readonly [string, string, H]>> = [];
  for (let id = 1; id < CANONICAL.length; id++) {
    const canonical = CANONICAL[id]!;
    (groups[canonical.length] ??= []).push([canonical.toLowerCase(), canonical, id as H]);
  }
  for (let i = 0; i < groups.length; i++) groups[i] ??= [];
  return groups;
})();

/**
 * Id of the header name text[start, end), case-insensitively and without allocating. Most senders use
 * the canonical spelling, which a native startsWith confirms; other spellings fall back to a char loop.
 */
export function idAt(text: string, start: number, end: number): H {
  const len = end - start;
  if (len === 1) return COMPACT[text[start]!.toLowerCase()] ?? H.Other;
  const group = BY_LENGTH[len];
  if (group === undefined) return H.Other;
  const first = charCodeAt.call(text, start) | 0x20;
  for (let g = 0; g < group.length; g++) {
    const entry = group[g]!;
    const name = entry[0];
    if (charCodeAt.call(name, 0) !== first) continue;
    if (startsWith.call(text, entry[1], start) || sameLower(text, start, name, len)) return entry[2];
  }
  return H.Other;
}

/** Whether text[start, start + len) equals the lower-case `lower`, ignoring the case of ASCII letters. */
export function sameLower(text: string, start: number, lower: string, len: number): boolean {
  for (let k = 0; k < len; k++) {
    const c = charCodeAt.call(text, start + k);
    const w = charCodeAt.call(lower, k);
    if (c !== w && !(c >= 65 && c <= 90 && c + 32 === w)) return false;
  }
  return true;
}

/** Id of a header name given by a caller (full or compact, any case). */
export function idOf(name: string): H {
  return idAt(name, 0, name.length);
}

/** Canonical spelling of a name: known headers get their RFC spelling, others are kept as given. */
export function canonicalName(name: string): string {
  const id = idOf(name);
  return id === H.Other ? name : CANONICAL[id]!;
}

/** Headers whose value is a comma-separated list (RFC 3261 §7.3.1), so headers() may split them. */
export function isListHeader(id: H): boolean {
  switch (id) {
    case H.Via: case H.Contact: case H.Route: case H.RecordRoute: case H.Allow: case H.Supported:
    case H.Require: case H.ProxyRequire: case H.Unsupported: case H.Accept: case H.AcceptEncoding:
    case H.AcceptLanguage: case H.ContentEncoding: case H.ContentLanguage: case H.AllowEvents: case H.Warning:
    case H.Reason: case H.Path: case H.ServiceRoute: case H.PAssertedIdentity: case H.PPreferredIdentity:
    case H.CallInfo: case H.AlertInfo: case H.ErrorInfo: case H.InReplyTo: case H.Privacy:
    case H.AcceptContact: case H.RejectContact: case H.RequestDisposition:
      return true;
    default:
      return false;
  }
}

/** Headers that may appear at most once (RFC 3261 §7.3 / §20): a second copy is a 400. */
export function isSingleHeader(id: H): boolean {
  switch (id) {
    case H.CallId: case H.CSeq: case H.From: case H.To: case H.MaxForwards: case H.ContentLength:
    case H.ContentType: case H.Expires: case H.MinExpires: case H.Event: case H.SubscriptionState:
    case H.ReferTo: case H.ReferredBy: case H.Replaces: case H.RSeq: case H.RAck: case H.SessionExpires:
    case H.MinSE: case H.Date: case H.Subject: case H.RetryAfter: case H.ContentDisposition: case H.MimeVersion:
    case H.Organization: case H.Priority: case H.Timestamp: case H.ReplyTo:
      return true;
    default:
      return false;
  }
}
