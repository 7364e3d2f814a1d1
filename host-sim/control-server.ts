/**
 * The simulator's HTTP server: serves the phone page and the control API, over HTTP and a WebSocket.
 *
 * WebSocket /ws (JSON text frames):
 *   client -> server  {"op":"key","phone":"alice","key":"5"}       press a key (keys: src/phone/keys.ts)
 *                     {"op":"keys","phone":"alice","keys":["1","#"]}
 *                     {"op":"snapshot"}                            ask for every phone's state again
 *   server -> client  {"type":"hello","phones":[PhoneSnapshot...]}  on connect
 *                     {"type":"state","phone":PhoneSnapshot}         after any change of a phone
 *                     {"type":"event","phone":"alice","event":{...}} SIP/phone events (registered, incoming, ended...)
 *                     {"type":"error","message":"..."}               a request that could not be done
 * HTTP: GET /api/phones (snapshots), POST /api/phones/<id>/keys with {"keys":[...]}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { isKey } from '../src/phone/keys.js';
import type { PhoneHost } from './phone-host.js';

const WEB_ROOT = fileURLToPath(new URL('../../host-sim/web/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startControlServer(phones: PhoneHost[], port = 8080, host = '127.0.0.1'): Promise<ControlServer> {
  const byId = new Map(phones.map((p) => [p.id, p]));
  const server: Server = createServer((req, res) => {
    handleHttp(req, res, byId).catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  const sockets = new Set<WebSocket>();
  const broadcast = (msg: unknown) => {
    const text = JSON.stringify(msg);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  const unsubscribe = phones.map((p) =>
    p.subscribe((change) => {
      if (change.kind === 'state') broadcast({ type: 'state', phone: p.snapshot() });
      else broadcast({ type: 'event', phone: p.id, event: change.event });
    }),
  );
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'hello', phones: phones.map((p) => p.snapshot()) }));
    ws.on('message', (data) => {
      const reply = (m: unknown) => ws.send(JSON.stringify(m));
      let msg: { op?: unknown; phone?: unknown; key?: unknown; keys?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return reply({ type: 'error', message: 'messages must be JSON' });
      }
      if (msg.op === 'snapshot') return reply({ type: 'hello', phones: phones.map((p) => p.snapshot()) });
      if (msg.op !== 'key' && msg.op !== 'keys') return reply({ type: 'error', message: `unknown op ${JSON.stringify(msg.op)}` });
      const phone = typeof msg.phone === 'string' ? byId.get(msg.phone) : undefined;
      if (!phone) return reply({ type: 'error', message: `no phone ${JSON.stringify(msg.phone)}` });
      const keys = msg.op === 'key' ? [msg.key] : Array.isArray(msg.keys) ? msg.keys : [];
      const bad = keys.find((k) => typeof k !== 'string' || !isKey(k));
      if (bad !== undefined || keys.length === 0) return reply({ type: 'error', message: `not a key: ${JSON.stringify(bad)}` });
      for (const k of keys) phone.press(k);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://${host}:${actualPort}`,
    close: async () => {
      unsubscribe.forEach((u) => u());
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, phones: Map<string, PhoneHost>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/api/phones' && req.method === 'GET') return send(res, 200, [...phones.values()].map((p) => p.snapshot()));
  const m = /^\/api\/phones\/([^/]+)\/keys$/.exec(url.pathname);
  if (m && req.method === 'POST') {
    const phone = phones.get(decodeURIComponent(m[1]!));
    if (!phone) return send(res, 404, { error: `no phone ${m[1]}` });
    let body: { keys?: unknown };
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { error: 'body must be JSON: {"keys":[...]}' });
    }
    const keys = Array.isArray(body.keys) ? body.keys : [];
    const bad = keys.find((k) => typeof k !== 'string' || !isKey(k));
    if (bad !== undefined || keys.length === 0) return send(res, 400, { error: `not a key: ${JSON.stringify(bad)}` });
    for (const k of keys) phone.press(k);
    return send(res, 200, phone.snapshot());
  }
  if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
  const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
  const path = normalize(join(WEB_ROOT, rel));
  if (!path.startsWith(WEB_ROOT)) return send(res, 404, { error: 'not found' });
  try {
    const data = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(data);
  } catch {
    send(res, 404, { error: 'not found' });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 65536) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
