// The simulator page: draws every phone from its snapshot and sends key presses over the control WebSocket.
import { startBrowserAudio } from './audio.js';

const phonesEl = document.getElementById('phones');
const connEl = document.getElementById('conn');
const template = document.getElementById('phone-template');
const views = new Map();
let socket;
/** Who has each phone's audio, as the server says: 'default' (tone or WAV) or 'client' (a browser or script). */
const audioSources = new Map();
/** The phone whose audio this page plays, at most one (one microphone, one speaker). */
let browserAudio; // { phone, handle, state, detail }
// For tests and the curious: what the page's audio is doing.
window.xsphoneAudio = { state: {}, stats: {} };

function view(snapshot) {
  let v = views.get(snapshot.id);
  if (v) return v;
  const el = template.content.firstElementChild.cloneNode(true);
  el.dataset.phone = snapshot.id;
  el.id = `phone-${snapshot.id}`;
  el.querySelector('.label').textContent = snapshot.label;
  el.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-key]');
    if (!button || !socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ op: 'key', phone: snapshot.id, key: button.dataset.key }));
  });
  el.querySelector('.audio-toggle').addEventListener('click', () => toggleAudio(snapshot.id));
  phonesEl.append(el);
  v = { el };
  views.set(snapshot.id, v);
  return v;
}

function text(el, selector, value) {
  const node = el.querySelector(selector);
  if (node.textContent !== value) node.textContent = value;
}

function render(snapshot) {
  const { el } = view(snapshot);
  const s = snapshot.screen;
  text(el, '.s-line', s.status.line);
  text(el, '.s-reg', s.status.registration);
  text(el, '.s-icons', s.status.icons.join(' '));
  text(el, '.s-time', s.status.time);
  s.lines.forEach((line, i) => text(el, `.l${i}`, line));
  el.querySelectorAll('.softlabels span').forEach((span, i) => (span.textContent = s.softKeys[i]));
  el.querySelectorAll('.softkeys button').forEach((b, i) => b.setAttribute('aria-label', s.softKeys[i] || `soft key ${i + 1}`));
  el.querySelector('.led').classList.toggle('on', s.status.icons.some((i) => i.startsWith('MWI')));
  renderLamps(el.querySelector('.blf'), s.lamps ?? []);
  el.querySelector('.hook').classList.toggle('offhook', snapshot.calls.length > 0);
  text(el, '.tone', snapshot.tone ? `♪ ${snapshot.tone}` : '');
  const list = el.querySelector('.history ol');
  list.replaceChildren(...snapshot.history.map((h) => {
    const li = document.createElement('li');
    li.className = `h-${h.kind}`;
    li.textContent = `${h.kind} ${h.name ?? h.remote} ${h.duration ? `${h.duration}s` : ''}`.trim();
    return li;
  }));
}

/** Busy-lamp-field keys: idle green, ringing blinking, busy red, unknown dark; pressing one sends blf1, blf2... */
function renderLamps(box, lamps) {
  while (box.children.length > lamps.length) box.lastElementChild.remove();
  lamps.forEach((lamp, i) => {
    let b = box.children[i];
    if (!b) {
      b = document.createElement('button');
      b.className = 'blf-key';
      b.dataset.key = `blf${i + 1}`;
      b.append(document.createElement('span'), document.createElement('span'));
      b.firstChild.className = 'lamp';
      box.append(b);
    }
    if (b.dataset.state !== lamp.state) b.dataset.state = lamp.state;
    if (b.lastChild.textContent !== lamp.label) b.lastChild.textContent = lamp.label;
    b.title = `${lamp.label}: ${lamp.state}`;
  });
}

function toggleAudio(phone) {
  const mine = browserAudio?.phone === phone;
  browserAudio?.handle.stop();
  if (mine) return;
  const entry = { phone, state: 'starting', detail: '' };
  browserAudio = entry;
  entry.handle = startBrowserAudio(
    phone,
    (state, detail) => {
      entry.state = state;
      entry.detail = detail;
      window.xsphoneAudio.state[phone] = state;
      if ((state === 'off' || state === 'error') && browserAudio === entry) browserAudio = undefined;
      renderAudio(phone, state === 'error' ? detail : undefined);
    },
    (stats) => {
      window.xsphoneAudio.stats[phone] = stats;
      renderAudio(phone);
    },
  );
}

function renderAudio(phone, error) {
  const v = views.get(phone);
  if (!v) return;
  const ours = browserAudio?.phone === phone ? browserAudio : undefined;
  const button = v.el.querySelector('.audio-toggle');
  button.textContent = ours ? 'Stop browser audio' : "Use this browser's mic & speaker";
  button.setAttribute('aria-pressed', String(Boolean(ours)));
  v.el.querySelector('.audio').classList.toggle('on', ours?.state === 'on');
  let status;
  if (error) status = `Browser audio failed: ${error}`;
  else if (ours?.state === 'starting') status = 'starting the microphone…';
  else if (ours?.state === 'on') {
    const s = window.xsphoneAudio.stats[phone];
    status = `browser audio on (${ours.detail})${s ? ` · mic ${level(s.micPeak)} · speaker ${level(s.speakerPeak)}` : ''}`;
  } else status = audioSources.get(phone) === 'client' ? 'audio: another window or script' : 'audio: test tone / WAV';
  text(v.el, '.audio-state', status);
}

/** A peak sample value as a short meter. */
function level(peak) {
  const n = Math.min(5, Math.round((Math.log10(Math.max(1, peak)) / Math.log10(32768)) * 5));
  return '▮'.repeat(n) + '▯'.repeat(5 - n);
}

function connect() {
  socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  socket.addEventListener('open', () => { connEl.textContent = 'connected'; connEl.className = 'conn ok'; });
  socket.addEventListener('close', () => {
    connEl.textContent = 'disconnected — retrying'; connEl.className = 'conn bad';
    setTimeout(connect, 1000);
  });
  socket.addEventListener('message', (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === 'hello') {
      msg.phones.forEach(render);
      for (const [phone, source] of Object.entries(msg.audio ?? {})) audioSources.set(phone, source);
      msg.phones.forEach((p) => renderAudio(p.id));
    } else if (msg.type === 'state') render(msg.phone);
    else if (msg.type === 'audio') {
      audioSources.set(msg.phone, msg.source);
      renderAudio(msg.phone);
    }
    else if (msg.type === 'error') console.warn('xsphone:', msg.message);
  });
}

// Screens show a running call timer: ask for fresh state once a second while a call is up.
setInterval(() => {
  if (socket?.readyState === WebSocket.OPEN && [...views.values()].some((v) => v.el.querySelector('.hook.offhook')))
    socket.send(JSON.stringify({ op: 'snapshot' }));
}, 1000);

connect();
