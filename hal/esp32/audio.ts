/**
 * Audio over I2S with ECMA-419 audio (modules/io/audioin, audioout): 8 kHz, 16-bit, mono, 20 ms frames.
 * Microphone and speaker use separate I2S units (pins in the manifest's defines.audioIn / audioOut).
 * Nothing is allocated per frame: one frame buffer each way, reused.
 */
import AudioIn from 'embedded:io/audio/in';
import AudioOut from 'embedded:io/audio/out';
import { FRAME_SAMPLES, SAMPLE_RATE, type AudioInput, type AudioOutput } from '../audio.js';

const FRAME_BYTES = FRAME_SAMPLES * 2;

export class I2sAudioInput implements AudioInput {
  #in: AudioIn | undefined;
  readonly #frame = new Int16Array(FRAME_SAMPLES);
  readonly #bytes = new Uint8Array(this.#frame.buffer);
  #fill = 0;

  start(onFrame: (frame: Int16Array) => void): void {
    this.stop();
    this.#fill = 0;
    const self = this;
    const input = new AudioIn({
      sampleRate: SAMPLE_RATE,
      bitsPerSample: 16,
      channels: 1,
      onReadable(available: number) {
        // Read straight into the frame buffer; deliver each time it is full.
        while (available > 0 && self.#in === input) {
          const want = Math.min(available, FRAME_BYTES - self.#fill);
          const got = this.read(self.#bytes.subarray(self.#fill, self.#fill + want));
          if (!got) break;
          self.#fill += got;
          available -= got;
          if (self.#fill === FRAME_BYTES) {
            self.#fill = 0;
            onFrame(self.#frame);
          }
        }
      },
    });
    this.#in = input;
    input.start();
  }

  stop(): void {
    const input = this.#in;
    this.#in = undefined;
    if (input) {
      input.stop();
      input.close();
    }
  }
}

/**
 * Plays frames as they come; the driver's own buffer absorbs jitter. When it is full the frame is dropped
 * (the input is the media clock, so a full output means the far end runs fast).
 */
export class I2sAudioOutput implements AudioOutput {
  #out: AudioOut | undefined;
  #room = 0;
  /** Gain the phone sets, 1.0 = unchanged (applied by the driver in fixed point). */
  volume = 1;

  play(frame: Int16Array): void {
    const out = this.#open();
    if (this.#room < frame.byteLength) return;
    out.write(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
    this.#room -= frame.byteLength;
  }

  stop(): void {
    const out = this.#out;
    this.#out = undefined;
    if (out) {
      out.stop();
      (out as unknown as { close?(): void }).close?.();
    }
  }

  #open(): AudioOut {
    if (this.#out) return this.#out;
    const self = this;
    const out = new AudioOut({
      sampleRate: SAMPLE_RATE,
      bitsPerSample: 16,
      channels: 1,
      onWritable(bytes: number) {
        self.#room = bytes;
      },
    });
    out.volume = this.volume; // a gain: 1.0 = unchanged (audioout-esp32.c)
    this.#out = out;
    out.start();
    return out;
  }
}
