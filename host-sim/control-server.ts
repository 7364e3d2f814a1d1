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
 *                     {"type":"audio","phone":"alice","source":"client"|"default"}  a phone's audio changed hands
 * HTTP: GET /api/phones (snapshots), POST /api/phones/<id>/keys with {"keys":[...]}.
 *
 * WebSocket /audio/<id>: the phone's microphone and speaker (binary frames of 8 kHz 16-bit little-endian mono PCM;
 * the server sends 20 ms frames of 320 bytes). While connected it replaces the phone's default input. See
 * docs/control-api.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { isKey, type Key } from '../src/phone/keys.js';
import type { PhoneHost } from './phone-host.js';
import { FRAME_BYTES, type AudioBridge } from './audio-bridge.js';

/** A phone whose microphone and speaker a client may take over (SimPhone is one). */
interface AudioPhone extends PhoneHost {
  readonly audio: AudioBridge;
}

function hasAudio(p: PhoneHost): p is AudioPhone {
  return typeof (p as Partial<AudioPhone>).audio?.attach === 'function';
}

/** Speaker frames are dropped rather than queued once this much is waiting for a slow client (~320 ms). */
const SPEAKER_BACKLOG_BYTES = 16 * FRAME_BYTES;
/** Larger binary messages from an audio client are refused (a second of audio). */
const MAX_AUDIO_MESSAGE = 16_000;

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
  const wss = new WebSocketServer({ noServer: true, maxPayload: 65_536 });
  const audioWss = new WebSocketServer({ noServer: true, maxPayload: MAX_AUDIO_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const audio = /^\/audio\/([^/]+)$/.exec(path);
    const phone = audio ? byId.get(decodeURIComponent(audio[1]!)) : undefined;
    if (path === '/ws') wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    else if (phone && hasAudio(phone)) audioWss.handleUpgrade(req, socket, head, (ws) => attachAudio(ws, phone));
    else {
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${audio ? `no phone ${audio[1]}` : 'not a WebSocket path'}\n`);
    }
  });
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
  for (const p of phones) if (hasAudio(p)) unsubscribe.push(p.audio.onChange((source) => broadcast({ type: 'audio', phone: p.id, source })));
  const audioSources = () => Object.fromEntries(phones.filter(hasAudio).map((p) => [p.id, p.audio.source]));
  const audioSockets = new Set<WebSocket>();
  const attachAudio = (ws: WebSocket, phone: AudioPhone): void => {
    audioSockets.add(ws);
    const link = phone.audio.attach(
      (bytes) => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > SPEAKER_BACKLOG_BYTES) return false;
        ws.send(Buffer.from(bytes), { binary: true }); // a copy: the socket may queue it after the bridge reuses its buffer
        return true;
      },
      () => ws.close(4001, 'another client took over this phone\'s audio'),
    );
    ws.send(JSON.stringify({ type: 'audio', phone: phone.id, sampleRate: 8000, channels: 1, format: 's16le', frameSamples: FRAME_BYTES / 2 }));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return ws.send(JSON.stringify({ type: 'error', message: 'send microphone audio as binary frames of 16-bit little-endian samples' }));
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      link.push(buf);
    });
    ws.on('close', () => {
      audioSockets.delete(ws);
      link.detach();
    });
  };
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'hello', phones: phones.map((p) => p.snapshot()), audio: audioSources() }));
    ws.on('message', (data) => {
      const reply = (m: unknown) => ws.send(JSON.stringify(m));
      let msg: { op?: unknown; phone?: unknown; key?: unknown; keys?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return reply({ type: 'error', message: 'messages must be JSON' });
      }
      if (msg.op === 'snapshot') return reply({ type: 'hello', phones: phones.map((p) => p.snapshot()), audio: audioSources() });
      if (msg.op !== 'key' && msg.op !== 'keys') return reply({ type: 'error', message: `unknown op ${JSON.stringify(msg.op)}` });
      const phone = typeof msg.phone === 'string' ? byId.get(msg.phone) : undefined;
      if (!phone) return reply({ type: 'error', message: `no phone ${JSON.stringify(msg.phone)}` });
      const keys = checkKeys(msg.op === 'key' ? [msg.key] : msg.keys);
      if (typeof keys === 'string') return reply({ type: 'error', message: keys });
      try {
        for (const k of keys) phone.press(k);
      } catch (e) {
        // A fault in the phone must not take the simulator down with it.
        reply({ type: 'error', message: `the phone failed on that key: ${(e as Error).message}` });
      }
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
      for (const s of audioSockets) s.terminate();
      wss.close();
      audioWss.close();
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
    const keys = checkKeys(body?.keys);
    if (typeof keys === 'string') return send(res, 400, { error: keys });
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

/** The keys of a request, or what is wrong with them in plain words. */
function checkKeys(keys: unknown): Key[] | string {
  if (!Array.isArray(keys) || keys.length === 0) return 'keys must be a non-empty list of key names, e.g. ["1","0","2","#"]';
  if (keys.length > 64) return 'at most 64 keys at a time';
  // findIndex, not find: a missing key (undefined) is a bad one too.
  const at = keys.findIndex((k) => typeof k !== 'string' || !isKey(k));
  if (at >= 0) return `not a key: ${JSON.stringify(keys[at]) ?? 'undefined'} (keys are 0-9 * # and names such as soft1, hook, ok; see docs/control-api.md)`;
  return keys as Key[];
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
