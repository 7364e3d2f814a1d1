/** A loopback HTTP server for update and provisioning tests: fixed routes, with truncation and slow delivery on demand. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureRoute {
  status?: number;
  body: Uint8Array | string;
  /** Send only this many bytes of the body (announcing the full length), then drop the connection. */
  cutAt?: number;
  /** Deliver the body in pieces of this size, one every dripMs. */
  dripBytes?: number;
  dripMs?: number;
}

export interface Fixture {
  readonly url: string;
  readonly routes: Map<string, FixtureRoute>;
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const routes = new Map<string, FixtureRoute>();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : Buffer.from(route.body);
    res.writeHead(route.status ?? 200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    const end = route.cutAt ?? body.length;
    const step = route.dripBytes ?? body.length;
    let off = 0;
    const next = () => {
      if (res.destroyed) return;
      if (off >= end) {
        if (route.cutAt !== undefined) res.destroy();
        else res.end();
        return;
      }
      const n = Math.min(step, end - off);
      res.write(body.subarray(off, off + n));
      off += n;
      if (route.dripMs) setTimeout(next, route.dripMs);
      else next();
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
