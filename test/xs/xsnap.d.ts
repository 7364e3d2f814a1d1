// @agoric/xsnap ships JavaScript without declarations; xs-engine.ts types what it uses.
declare module '@agoric/xsnap' {
  export function xsnap(options: unknown): Promise<unknown>;
}
