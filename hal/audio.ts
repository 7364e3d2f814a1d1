/** Audio is 8 kHz, 16-bit, mono, in 20 ms frames of 160 samples. */
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;

export interface AudioInput {
  /** onFrame receives a frame the input reuses: copy what you keep past the call. */
  start(onFrame: (frame: Int16Array) => void): void;
  stop(): void;
}

export interface AudioOutput {
  /** Plays one frame; the output copies it before returning. */
  play(frame: Int16Array): void;
  stop(): void;
}
