// The ava run of `npm test`: every compiled test, in parallel, except the real-time ones below.
import { TIMING } from './ava.timing.config.js';

export default {
  files: ['dist/test/**/*.test.js', ...TIMING.map((f) => `!${f}`)],
  timeout: '2m',
  workerThreads: false,
};
