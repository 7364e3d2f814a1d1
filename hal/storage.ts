/** Small named records (settings, call history). A write is atomic: a reader sees the old or the new value, never a mix. */
export interface Storage {
  read(name: string): string | undefined;
  write(name: string, value: string): void;
  remove(name: string): void;
  names(): string[];
}
