/**
 * A small HTTP(S) GET client: enough for update manifests, firmware images and provisioning files.
 * The body arrives in chunks as it is received, so an image larger than the heap streams through.
 */
export interface HttpHead {
  /** Status code, e.g. 200, 404. */
  readonly status: number;
  /** Content-Length when the server sent one. */
  readonly size: number | undefined;
}

export interface HttpGetOptions {
  /** Extra request headers (names as sent). */
  headers?: Readonly<Record<string, string>>;
  /** Gives up when nothing arrives for this long (default 15 s); onDone then gets an Error. */
  idleTimeoutMs?: number;
  /** PEM CA bundle for https: URLs (default: the platform's roots). */
  ca?: string;
}

export interface HttpGetHandlers {
  /** Status and size, once, before any chunk. */
  onHead?(head: HttpHead): void;
  /** The next piece of the body; a fresh buffer the receiver may keep. */
  onChunk?(chunk: Uint8Array): void;
  /**
   * Called exactly once: without an error after the whole body arrived (whatever the status), with an
   * Error whose message says why when the request failed (no connection, reset, timeout, aborted).
   */
  onDone(error?: Error): void;
}

export interface HttpRequest {
  /** Stops the transfer; onDone follows with an "aborted" Error unless it was already called. */
  abort(): void;
}

export interface HttpClient {
  /** Starts a GET of an http: or https: URL (host names allowed: the platform resolves them). */
  get(url: string, handlers: HttpGetHandlers, options?: HttpGetOptions): HttpRequest;
}

/** Splits an http(s) URL into the parts a client needs; undefined for anything else. */
export function parseHttpUrl(url: string): { secure: boolean; host: string; port: number; path: string } | undefined {
  const m = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#\s]+)(?::(\d{1,5}))?([/?][^\s#]*)?(?:#.*)?$/.exec(url);
  if (!m) return undefined;
  const secure = m[1] === 'https';
  const port = m[3] ? Number(m[3]) : secure ? 443 : 80;
  if (port < 1 || port > 65535) return undefined;
  let host = m[2];
  if (host.startsWith('[')) host = host.slice(1, -1);
  let path = m[4] ?? '/';
  if (path.startsWith('?')) path = '/' + path;
  return { secure, host, port, path };
}

/** Resolves a reference (absolute URL, absolute path or relative name) against a base URL, as browsers do for the simple cases. */
export function resolveUrl(base: string, ref: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(base)?.[0] ?? '';
  if (ref.startsWith('/')) return origin + ref;
  const path = base.slice(origin.length).replace(/[?#].*$/, '');
  const dir = path.slice(0, path.lastIndexOf('/') + 1) || '/';
  return origin + dir + ref;
}
