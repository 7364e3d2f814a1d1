// Runs in the AudioWorklet: resamples the microphone to 8 kHz 16-bit frames of 20 ms for the phone, and plays
// the phone's 8 kHz frames at the context's rate through a small bounded jitter buffer.
const PHONE_RATE = 8000;
const FRAME = 160;
const QUEUE = PHONE_RATE; // at most 1 s of speaker audio can ever be held
const START_AT = 480; // start (and restart after an under-run) with 60 ms buffered
const MAX_LATENCY = 2400; // more than 300 ms queued: drop back to START_AT

/** A second-order Butterworth low-pass (RBJ cookbook), for anti-aliasing before 8 kHz and smoothing after. */
class LowPass {
  constructor(rate, cutoff) {
    const w = (2 * Math.PI * Math.min(cutoff, rate * 0.45)) / rate;
    const alpha = Math.sin(w) / Math.SQRT2;
    const a0 = 1 + alpha;
    this.b0 = (1 - Math.cos(w)) / 2 / a0;
    this.b1 = (1 - Math.cos(w)) / a0;
    this.b2 = this.b0;
    this.a1 = (-2 * Math.cos(w)) / a0;
    this.a2 = (1 - alpha) / a0;
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }

  run(x) {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1; this.x1 = x; this.y2 = this.y1; this.y1 = y;
    return y;
  }
}

class XsphoneAudio extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / PHONE_RATE; // context samples per phone sample
    // Microphone: two low-pass stages (4th order) at 3.4 kHz, then linear interpolation at 8 kHz instants.
    this.micFilters = [new LowPass(sampleRate, 3400), new LowPass(sampleRate, 3400)];
    this.micPrev = 0;
    this.micT = 1; // where the next 8 kHz sample falls, in context samples after micPrev
    this.frame = new Int16Array(FRAME);
    this.fill = 0;
    // Speaker: a ring of 8 kHz samples, linearly interpolated up to the context rate, then smoothed.
    this.queue = new Float32Array(QUEUE);
    this.head = 0;
    this.count = 0;
    this.priming = true;
    this.spkPrev = 0;
    this.spkNext = 0;
    this.spkT = 0;
    this.spkFilter = new LowPass(sampleRate, 3600);
    this.stats = { sent: 0, received: 0, underruns: 0, dropped: 0, micPeak: 0, speakerPeak: 0 };
    this.lastReport = currentTime;
    this.port.onmessage = (e) => this.receive(e.data);
  }

  receive(samples) {
    if (!(samples instanceof Int16Array)) return;
    this.stats.received++;
    for (let i = 0; i < samples.length; i++) {
      if (this.count === QUEUE) {
        this.head = (this.head + 1) % QUEUE;
        this.count--;
        this.stats.dropped++;
      }
      this.queue[(this.head + this.count) % QUEUE] = samples[i] / 32768;
      this.count++;
    }
    if (this.count > MAX_LATENCY) {
      const drop = this.count - START_AT;
      this.head = (this.head + drop) % QUEUE;
      this.count -= drop;
      this.stats.dropped += drop;
    }
  }

  pop() {
    if (this.priming) {
      if (this.count < START_AT) return 0;
      this.priming = false;
    }
    if (this.count === 0) {
      this.priming = true;
      this.stats.underruns++;
      return 0;
    }
    const v = this.queue[this.head];
    this.head = (this.head + 1) % QUEUE;
    this.count--;
    return v;
  }

  process(inputs, outputs) {
    const mic = inputs[0] && inputs[0][0];
    if (mic) {
      for (let i = 0; i < mic.length; i++) {
        const x = this.micFilters[1].run(this.micFilters[0].run(mic[i]));
        while (this.micT <= 1) {
          const v = this.micPrev + (x - this.micPrev) * this.micT;
          const s = Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
          if (Math.abs(s) > this.stats.micPeak) this.stats.micPeak = Math.abs(s);
          this.frame[this.fill++] = s;
          if (this.fill === FRAME) {
            this.port.postMessage(this.frame, [this.frame.buffer]);
            this.stats.sent++;
            this.frame = new Int16Array(FRAME);
            this.fill = 0;
          }
          this.micT += this.ratio;
        }
        this.micT -= 1;
        this.micPrev = x;
      }
    }
    const out = outputs[0];
    if (out && out[0]) {
      const step = 1 / this.ratio;
      const ch = out[0];
      for (let i = 0; i < ch.length; i++) {
        const y = this.spkFilter.run(this.spkPrev + (this.spkNext - this.spkPrev) * this.spkT);
        ch[i] = y;
        const peak = Math.abs(Math.round(y * 32767));
        if (peak > this.stats.speakerPeak) this.stats.speakerPeak = peak;
        this.spkT += step;
        while (this.spkT >= 1) {
          this.spkT -= 1;
          this.spkPrev = this.spkNext;
          this.spkNext = this.pop();
        }
      }
      for (let c = 1; c < out.length; c++) out[c].set(ch);
    }
    if (currentTime - this.lastReport >= 0.5) {
      this.lastReport = currentTime;
      this.port.postMessage({ stats: { ...this.stats, queued: this.count, rate: sampleRate } });
      this.stats.micPeak = 0;
      this.stats.speakerPeak = 0;
    }
    return true;
  }
}

registerProcessor('xsphone-audio', XsphoneAudio);
