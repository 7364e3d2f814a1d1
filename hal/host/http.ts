import http from 'node:http';
import https from 'node:https';
import type { HttpClient, HttpGetHandlers, HttpGetOptions, HttpRequest } from '../http.js';
import { parseHttpUrl } from '../http.js';

/** HttpClient on node:http/https. No redirects are followed: the status is reported as is. */
export class HostHttpClient implements HttpClient {
  get(url: string, handlers: HttpGetHandlers, options: HttpGetOptions = {}): HttpRequest {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      handlers.onDone(error);
    };
    const target = parseHttpUrl(url);
    if (!target) {
      queueMicrotask(() => finish(new Error(`not an http or https URL: ${url}`)));
      return { abort: () => finish(new Error('aborted')) };
    }
    const lib = target.secure ? https : http;
    const req = lib.get(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        headers: { ...options.headers },
        ...(target.secure && options.ca ? { ca: options.ca } : {}),
        agent: false,
      },
      (res) => {
        const length = res.headers['content-length'];
        const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
        handlers.onHead?.({ status: res.statusCode ?? 0, size });
        res.on('data', (chunk: Buffer) => {
          if (!done) handlers.onChunk?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        });
        res.on('end', () => finish());
        res.on('aborted', () => finish(new Error(`${url}: the server closed the connection before the whole body arrived`)));
        res.on('error', (e) => finish(new Error(`${url}: ${e.message}`)));
        res.on('close', () => {
          if (!res.complete) finish(new Error(`${url}: the server closed the connection before the whole body arrived`));
        });
      },
    );
    req.setTimeout(options.idleTimeoutMs ?? 15000, () => {
      finish(new Error(`${url}: no answer for ${Math.round((options.idleTimeoutMs ?? 15000) / 1000)} s`));
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'connection refused (nothing is listening there)' : e.code === 'ENOTFOUND' ? 'host name not found' : e.message;
      finish(new Error(`${url}: ${why}`));
    });
    return {
      abort: () => {
        finish(new Error('aborted'));
        req.destroy();
      },
    };
  }
}
