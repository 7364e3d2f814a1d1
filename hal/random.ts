/** Cryptographically strong random bytes (Call-IDs, tags, branches, SSRCs, cnonces). Never Math.random. */
export interface Random {
  /** Fills dst with random bytes and returns it. */
  fill(dst: Uint8Array): Uint8Array;
}
