/**
 * The UTF-8 TextEncoder and TextDecoder every module shares, made on first use. Never at module level: the device
 * build preloads modules into flash on the build machine, where these host objects do not exist yet (the device
 * installs them when it starts), so a module that creates one while loading cannot be preloaded.
 */
type Encoder = InstanceType<typeof TextEncoder>;
type Decoder = InstanceType<typeof TextDecoder>;

let encoder: Encoder | null = null;
let decoder: Decoder | null = null;

export function utf8Encoder(): Encoder {
  return (encoder ??= new TextEncoder());
}

export function utf8Decoder(): Decoder {
  return (decoder ??= new TextDecoder());
}
