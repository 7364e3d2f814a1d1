// Tests that judge real-time audio or a real browser: they run after the others, one file at a time, so the rest
// of the suite cannot starve them of CPU on a 2-core machine.
export const TIMING = [
  'dist/test/interop/media-speech.test.js',
  'dist/test/node/media/engine/loopback.test.js',
  'dist/test/node/browser/**/*.test.js',
  'dist/test/interop/fleet-*.test.js',
];

export default {
  files: TIMING,
  concurrency: 1,
  timeout: '3m',
  workerThreads: false,
};
