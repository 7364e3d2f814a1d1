/**
 * Typed header access shared by parsed and built messages: each getter parses the raw value on first
 * read and caches the result; a malformed value throws SipError when (and every time) it is read.
 * Subclasses provide raw access by header id; the cache is a small array indexed by id.
 */
import type { AuthValue, ContactList, CSeq, MediaType, NameAddr, Via } from '../message.js';
import { SipError } from '../errors.js';
import { CANONICAL, H, idOf, isListHeader } from '../header-names.js';
import { parseNameAddr, parseNameAddrList } from '../headers/name-addr.js';
import { parseTopVia, parseVia } from '../headers/via.js';
import { parseCSeq } from '../headers/cseq.js';
import { parseContactList } from '../headers/contact.js';
import { parseMediaType } from '../headers/media-type.js';
import { parseAccept, parseTokenList, parseUInt } from '../headers/simple.js';
import { parseAuth } from '../headers/auth.js';
import { parseCallId, parseDate, parseRAck, parseReason, parseReferTo, parseReferredBy, parseReplaces, parseRetryAfter,
  parseSessionExpires, parseWarning } from '../headers/dialog-headers.js';
import type { RAck, Reason, Replaces, RetryAfter, SessionExpires, Warning } from '../headers/dialog-headers.js';
import { parseEvent, parseSubscriptionState } from '../headers/event.js';
import type { EventValue, SubscriptionState } from '../headers/event.js';
import { splitList } from './list.js';

/** Cache marker for "header absent". */
const ABSENT: unique symbol = Symbol('absent');

export abstract class TypedHeaders {
  /** Parsed values by header id (slot 0 holds the Request-URI of a request). */
  protected declare tc: unknown[] | undefined;

  // Properties are assigned in constructors, not declared as class fields: XS spends ~10 more heap slots on an
  // instance whose classes define fields at several levels.
  constructor() {
    this.tc = undefined;
  }

  /** Index of the next header with this id at or after `from`, or -1. */
  protected abstract nextOf(id: H, from: number): number;
  /** Index of the next header named `lower` (unknown headers; lower-case full name) at or after `from`, or -1. */
  protected abstract nextNamed(lower: string, from: number): number;
  /** Value of header i, unfolded, without surrounding whitespace. */
  protected abstract valueAt(i: number): string;
  /** Names and values in wire order. */
  abstract headerLines(): Array<[string, string]>;

  /** First value of a header (full or compact name, any case), or undefined. */
  header(name: string): string | undefined {
    const id = idOf(name);
    const i = id !== H.Other ? this.nextOf(id, 0) : this.nextNamed(name.toLowerCase(), 0);
    return i < 0 ? undefined : this.valueAt(i);
  }

  /** Every value of a header, comma-separated lists split where the grammar allows. */
  headers(name: string): string[] {
    const id = idOf(name);
    const lower = id === H.Other ? name.toLowerCase() : '';
    const split = id !== H.Other && isListHeader(id);
    const out: string[] = [];
    for (let i = this.next(id, lower, 0); i >= 0; i = this.next(id, lower, i + 1)) {
      const v = this.valueAt(i);
      if (split) splitList(v, out);
      else out.push(v);
    }
    return out;
  }

  /** How many header fields (lines) carry this header. */
  headerCount(name: string): number {
    const id = idOf(name);
    const lower = id === H.Other ? name.toLowerCase() : '';
    let n = 0;
    for (let i = this.next(id, lower, 0); i >= 0; i = this.next(id, lower, i + 1)) n++;
    return n;
  }

  private next(id: H, lower: string, from: number): number {
    return id !== H.Other ? this.nextOf(id, from) : this.nextNamed(lower, from);
  }

  /** Drops cached typed values (after a header was changed). */
  protected invalidate(): void {
    this.tc = undefined;
  }

  protected cacheGet(slot: number): unknown {
    const c = this.tc;
    return c === undefined ? undefined : c[slot];
  }

  protected cacheSet(slot: number, v: unknown): void {
    (this.tc ??= [])[slot] = v;
  }

  /** Parses the first value of header id with fn; undefined when absent. */
  protected one<T>(id: H, fn: (v: string) => T): T | undefined {
    const hit = this.cacheGet(id);
    if (hit !== undefined) return hit === ABSENT ? undefined : (hit as T);
    const i = this.nextOf(id, 0);
    const v = i < 0 ? ABSENT : fn(this.valueAt(i));
    this.cacheSet(id, v);
    return v === ABSENT ? undefined : (v as T);
  }

  /** Like one() but the header is mandatory. */
  protected required<T>(id: H, fn: (v: string) => T): T {
    const v = this.one(id, fn);
    if (v === undefined) throw new SipError(`missing ${CANONICAL[id]} header`, 400, CANONICAL[id]);
    return v;
  }

  /** Parses every line of header id with fn (each giving a list) and concatenates, in order. */
  protected many<T>(id: H, fn: (v: string) => T[]): T[] {
    const hit = this.cacheGet(id);
    if (hit !== undefined) return hit as T[];
    let out: T[] | undefined;
    for (let i = this.nextOf(id, 0); i >= 0; i = this.nextOf(id, i + 1)) {
      const part = fn(this.valueAt(i));
      if (out === undefined) out = part;
      else for (let k = 0; k < part.length; k++) out.push(part[k]!);
    }
    out ??= [];
    this.cacheSet(id, out);
    return out;
  }

  // --- the headers of the SipMessageBase contract -----------------------------------------------------

  get callId(): string {
    return this.required(H.CallId, parseCallId);
  }
  get cseq(): CSeq {
    return this.required(H.CSeq, parseCSeq);
  }
  get from(): NameAddr {
    return this.required(H.From, parseFrom);
  }
  get to(): NameAddr {
    return this.required(H.To, parseTo);
  }
  get via(): Via[] {
    return this.many(H.Via, parseVia);
  }
  /** The top via-parm: only the first value is parsed. */
  get topVia(): Via | undefined {
    const list = this.cacheGet(H.Via) as Via[] | undefined;
    if (list !== undefined) return list[0];
    const i = this.nextOf(H.Via, 0);
    return i < 0 ? undefined : parseTopVia(this.valueAt(i));
  }
  /** The top Via's branch parameter. */
  get branch(): string | undefined {
    return this.topVia?.branch;
  }
  /** The From tag (undefined when absent). */
  get fromTag(): string | undefined {
    return this.from.params['tag'] ?? undefined;
  }
  /** The To tag (undefined when absent). */
  get toTag(): string | undefined {
    return this.to.params['tag'] ?? undefined;
  }
  get maxForwards(): number | undefined {
    return this.one(H.MaxForwards, parseMaxForwards);
  }
  get contact(): ContactList {
    const hit = this.cacheGet(H.Contact);
    if (hit !== undefined) return hit as ContactList;
    let out: ContactList | undefined;
    for (let i = this.nextOf(H.Contact, 0); i >= 0; i = this.nextOf(H.Contact, i + 1)) {
      const part = parseContactList(this.valueAt(i));
      if (part === '*' || out === '*') {
        if (out !== undefined) throw new SipError("bad Contact: '*' mixed with other values", 400, 'Contact');
        out = part;
      } else if (out === undefined) out = part;
      else for (const c of part) out.push(c);
    }
    out ??= [];
    this.cacheSet(H.Contact, out);
    return out;
  }
  get route(): NameAddr[] {
    return this.many(H.Route, parseRoute);
  }
  get recordRoute(): NameAddr[] {
    return this.many(H.RecordRoute, parseRecordRoute);
  }
  get contentType(): MediaType | undefined {
    return this.one(H.ContentType, parseMediaType);
  }
  get contentLength(): number | undefined {
    return this.one(H.ContentLength, parseContentLength);
  }
  get expires(): number | undefined {
    return this.one(H.Expires, parseExpires);
  }

  // --- further typed headers -------------------------------------------------------------------------

  get minExpires(): number | undefined {
    return this.one(H.MinExpires, parseMinExpires);
  }
  get rseq(): number | undefined {
    return this.one(H.RSeq, parseRSeq);
  }
  get minSE(): number | undefined {
    return this.one(H.MinSE, parseMinSE);
  }
  get wwwAuthenticate(): AuthValue[] {
    return this.many(H.WwwAuthenticate, parseWwwAuthenticate);
  }
  get proxyAuthenticate(): AuthValue[] {
    return this.many(H.ProxyAuthenticate, parseProxyAuthenticate);
  }
  get authorization(): AuthValue[] {
    return this.many(H.Authorization, parseAuthorization);
  }
  get proxyAuthorization(): AuthValue[] {
    return this.many(H.ProxyAuthorization, parseProxyAuthorization);
  }
  get allow(): string[] | undefined {
    return this.present(H.Allow) ? this.many(H.Allow, parseAllow) : undefined;
  }
  get supported(): string[] {
    return this.many(H.Supported, parseSupported);
  }
  get require(): string[] {
    return this.many(H.Require, parseRequire);
  }
  get proxyRequire(): string[] {
    return this.many(H.ProxyRequire, parseProxyRequire);
  }
  get unsupported(): string[] {
    return this.many(H.Unsupported, parseUnsupported);
  }
  get allowEvents(): string[] {
    return this.many(H.AllowEvents, parseAllowEvents);
  }
  /** Accept media ranges; undefined when the header is absent (which means application/sdp, §20.1). */
  get accept(): MediaType[] | undefined {
    return this.present(H.Accept) ? this.many(H.Accept, parseAccept) : undefined;
  }
  get referTo(): NameAddr | undefined {
    return this.one(H.ReferTo, parseReferTo);
  }
  get referredBy(): NameAddr | undefined {
    return this.one(H.ReferredBy, parseReferredBy);
  }
  get replaces(): Replaces | undefined {
    return this.one(H.Replaces, parseReplaces);
  }
  get event(): EventValue | undefined {
    return this.one(H.Event, parseEvent);
  }
  get subscriptionState(): SubscriptionState | undefined {
    return this.one(H.SubscriptionState, parseSubscriptionState);
  }
  get rack(): RAck | undefined {
    return this.one(H.RAck, parseRAck);
  }
  get sessionExpires(): SessionExpires | undefined {
    return this.one(H.SessionExpires, parseSessionExpires);
  }
  get retryAfter(): RetryAfter | undefined {
    return this.one(H.RetryAfter, parseRetryAfter);
  }
  /** Date header as milliseconds since the epoch. */
  get date(): number | undefined {
    return this.one(H.Date, parseDate);
  }
  get warning(): Warning[] {
    return this.many(H.Warning, parseWarning);
  }
  /** The Reason header (RFC 3326); not the reason phrase of a response. */
  get reasonHeader(): Reason[] {
    return this.many(H.Reason, parseReason);
  }
  get userAgent(): string | undefined {
    return this.one(H.UserAgent, identity);
  }
  get server(): string | undefined {
    return this.one(H.Server, identity);
  }
  get subject(): string | undefined {
    return this.one(H.Subject, identity);
  }

  protected present(id: H): boolean {
    return this.nextOf(id, 0) >= 0;
  }
}

function identity(v: string): string {
  return v;
}

// Header names built at load time: XS copies a string literal argument on every call.
const FROM = 'From'.slice(0);
const TO = 'To'.slice(0);
const parseFrom = (v: string): NameAddr => parseNameAddr(v, FROM);
const parseTo = (v: string): NameAddr => parseNameAddr(v, TO);
const parseRoute = (v: string): NameAddr[] => parseNameAddrList(v, 'Route');
const parseRecordRoute = (v: string): NameAddr[] => parseNameAddrList(v, 'Record-Route');
const parseMaxForwards = (v: string): number => parseUInt(v, 'Max-Forwards');
const parseContentLength = (v: string): number => parseUInt(v, 'Content-Length');
const parseExpires = (v: string): number => parseUInt(v, 'Expires');
const parseMinExpires = (v: string): number => parseUInt(v, 'Min-Expires');
const parseRSeq = (v: string): number => parseUInt(v, 'RSeq', 0x7fffffff);
const parseMinSE = (v: string): number => parseUInt(v, 'Min-SE');
const parseWwwAuthenticate = (v: string): AuthValue[] => [parseAuth(v, 'WWW-Authenticate')];
const parseProxyAuthenticate = (v: string): AuthValue[] => [parseAuth(v, 'Proxy-Authenticate')];
const parseAuthorization = (v: string): AuthValue[] => [parseAuth(v, 'Authorization')];
const parseProxyAuthorization = (v: string): AuthValue[] => [parseAuth(v, 'Proxy-Authorization')];
const parseAllow = (v: string): string[] => parseTokenList(v, 'Allow');
const parseSupported = (v: string): string[] => parseTokenList(v, 'Supported');
const parseRequire = (v: string): string[] => parseTokenList(v, 'Require');
const parseProxyRequire = (v: string): string[] => parseTokenList(v, 'Proxy-Require');
const parseUnsupported = (v: string): string[] => parseTokenList(v, 'Unsupported');
const parseAllowEvents = (v: string): string[] => parseTokenList(v, 'Allow-Events');
