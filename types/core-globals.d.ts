// The only globals the core may use beyond ECMAScript 2022: the device build installs
// TextEncoder/TextDecoder through $(MODULES)/data/text/encoder and .../decoder.
// Used only by tsconfig.core.json, which type-checks src/ without Node's or the DOM's types.
interface TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};
