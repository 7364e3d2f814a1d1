/**
 * Over-the-air update into the inactive firmware slot, with rollback: a new image boots on trial and
 * becomes permanent only after markGood(); a restart before that boots the previous image again.
 */
export interface OtaImageInfo {
  /** Version string of the image (from the signed update manifest). */
  readonly version: string;
  /** false while the running image is on trial (switched to but not yet marked good). */
  readonly confirmed: boolean;
}

/** One image being written into the inactive slot. Calls are synchronous and throw Error on failure. */
export interface OtaWrite {
  /** Appends the next chunk; the total may not exceed the size given to begin(). */
  write(chunk: Uint8Array): void;
  /** Finishes the image (all `size` bytes written) so that activate() can boot it. */
  complete(): void;
  /** Abandons the image; the inactive slot is left unbootable and the running image untouched. */
  cancel(): void;
}

export interface Ota {
  /** The image running now. */
  running(): OtaImageInfo;
  /** Starts writing an image of `size` bytes into the inactive slot (erasing it); only one at a time. */
  begin(size: number, version: string): OtaWrite;
  /** Makes the completed image boot next, on trial. Throws if no image has been completed. */
  activate(): void;
  /** Restarts the device (into the activated image, if any). Does not return on the device. */
  restart(): void;
  /** Confirms the running trial image after the health check, cancelling the rollback. */
  markGood(): void;
}
