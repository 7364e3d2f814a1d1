/**
 * The HAL HttpClient on the ECMA-419 HTTP client (examples/io/tcp/httpclient, embedded:network/http/client)
 * over embedded:io/socket/tcp, or the SDK's TLSSocket for https (TLS 1.2, ~20 KB of heap while the
 * handshake runs). Host names are resolved by the ECMA-419 UDP resolver against the DHCP DNS servers.
 * One client per request, closed when it is done.
 */
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import UDP from 'embedded:io/socket/udp';
import HTTPClient from 'embedded:network/http/client';
import Resolver from 'embedded:network/dns/resolver/udp';
import Net from 'net';
import Timer from 'timer';
import type { HttpClient, HttpGetHandlers, HttpGetOptions, HttpRequest } from '../http.js';
import { parseHttpUrl } from '../http.js';

export class Esp32HttpClient implements HttpClient {
  get(url: string, h: HttpGetHandlers, options: HttpGetOptions = {}): HttpRequest {
    let done = false;
    let client: HTTPClient | undefined;
    let idle: Timer | undefined;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (idle) Timer.clear(idle);
      try {
        client?.close();
      } catch {
        // already closed
      }
      h.onDone(error);
    };
    const target = parseHttpUrl(url);
    if (!target) {
      Timer.set(() => finish(new Error(`not an http or https URL: ${url}`)), 0);
      return { abort: () => finish(new Error('aborted')) };
    }
    const idleMs = options.idleTimeoutMs ?? 15000;
    const touch = () => {
      if (idle) Timer.clear(idle);
      idle = Timer.set(() => finish(new Error(`${url}: no answer for ${Math.round(idleMs / 1000)} s`)), idleMs);
    };
    let servers: string[] = [];
    try {
      servers = Net.get('DNS');
    } catch {
      servers = [];
    }
    const dns = { io: Resolver, servers: servers.length ? servers : ['1.1.1.1'], socket: { io: UDP } };
    const secure: Record<string, unknown> = { serverName: target.host, applicationLayerProtocolNegotiation: 'http/1.1' };
    if (options.ca) secure.ca = options.ca;
    const socket = target.secure ? { io: TLSSocket, TCP: { io: TCP }, secure } : { io: TCP };
    try {
      client = new HTTPClient({
        socket,
        host: target.host,
        port: target.port,
        dns,
        onError: () => finish(new Error(`${url}: connection failed`)),
      });
      const headers = new Map<string, string>([['connection', 'close']]);
      for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k.toLowerCase(), v);
      client.request({
        method: 'GET',
        path: target.path,
        headers,
        onHeaders(status, responseHeaders) {
          touch();
          const length = responseHeaders.get('content-length');
          h.onHead?.({ status, size: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined });
        },
        onReadable(count) {
          touch();
          const data = this.read(count);
          if (data && !done) h.onChunk?.(new Uint8Array(data));
        },
        onDone(error) {
          finish(error ? new Error(`${url}: the transfer failed`) : undefined);
        },
      });
      touch();
    } catch (e) {
      Timer.set(() => finish(new Error(`${url}: ${(e as Error).message}`)), 0);
    }
    return { abort: () => finish(new Error('aborted')) };
  }
}
