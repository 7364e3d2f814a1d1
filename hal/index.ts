export type { Clock, TimerHandle } from './clock.js';
export type { Random } from './random.js';
export type { Crypto, DigestAlgorithm } from './crypto.js';
export type {
  Endpoint, UdpSocket, UdpOptions, StreamSocket, StreamHandlers, TlsOptions, ConnectOptions, Listener,
  ListenOptions, Network,
} from './net.js';
export type { Storage } from './storage.js';
export { isRecordName } from './storage.js';
export type { AudioInput, AudioOutput } from './audio.js';
export { SAMPLE_RATE, FRAME_SAMPLES } from './audio.js';
export type { Keypad, KeyEvent, KeypadKey } from './keypad.js';
export { KEYPAD_KEYS, isKeypadKey } from './keypad.js';
export type { Display, DisplayScreen, DisplayStatus } from './display.js';
export type { Ota, OtaWrite, OtaImageInfo } from './ota.js';
