// "Use this browser's microphone and speaker" for one phone: the microphone goes to the phone as 8 kHz 16-bit
// frames over the WebSocket /audio/<phone>, and what the phone's speaker plays comes back and is played here.
// The resampling runs in an AudioWorklet (audio-worklet.js).

/**
 * Starts browser audio for a phone. onState(state, detail) reports 'starting', 'on', 'off' and 'error'
 * (detail: a message in plain words); onStats(stats) twice a second while on. Returns { stop() }.
 */
export function startBrowserAudio(phone, onState, onStats) {
  let ws;
  let ctx;
  let stream;
  let stopped = false;
  const stop = (state = 'off', detail = '') => {
    if (stopped) return;
    stopped = true;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close();
    stream?.getTracks().forEach((t) => t.stop());
    ctx?.close();
    onState(state, detail);
  };
  (async () => {
    onState('starting', '');
    if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === 'undefined') {
      throw new Error('this page needs a secure context for the microphone: open it as http://127.0.0.1 or http://localhost');
    }
    // The context is made first, inside the click, so the browser lets it play.
    ctx = new AudioContext();
    await ctx.audioWorklet.addModule('audio-worklet.js');
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    if (stopped) return stop();
    const node = new AudioWorkletNode(ctx, 'xsphone-audio', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    ctx.createMediaStreamSource(stream).connect(node);
    node.connect(ctx.destination);
    if (ctx.state === 'suspended') await ctx.resume();
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/audio/${encodeURIComponent(phone)}`);
    ws.binaryType = 'arraybuffer';
    node.port.onmessage = (e) => {
      if (e.data instanceof Int16Array) {
        // A frame of microphone; if the socket is backed up, drop it rather than build latency.
        if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 3200) ws.send(e.data.buffer);
      } else if (e.data?.stats) onStats?.(e.data.stats);
    };
    ws.addEventListener('open', () => onState('on', `${ctx.sampleRate} Hz ⇄ 8 kHz`));
    ws.addEventListener('message', (e) => {
      if (e.data instanceof ArrayBuffer) node.port.postMessage(new Int16Array(e.data), [e.data]);
      else {
        const msg = JSON.parse(e.data);
        if (msg.type === 'error') console.warn('xsphone audio:', msg.message);
      }
    });
    ws.addEventListener('close', (e) => {
      if (e.code === 1000 || e.code === 1005) stop('off');
      else stop('error', e.code === 4001 ? "another window took this phone's audio" : 'audio connection lost (is the simulator still running?)');
    });
  })().catch((e) => {
    const msg = e?.name === 'NotAllowedError' ? 'microphone permission was refused' : e?.name === 'NotFoundError' ? 'no microphone found' : e?.message ?? String(e);
    stop('error', msg);
  });
  return { stop: () => stop() };
}
