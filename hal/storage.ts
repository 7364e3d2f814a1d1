/** Small named records (settings, call history). A write is atomic: a reader sees the old or the new value, never a mix. */
export interface Storage {
  read(name: string): string | undefined;
  write(name: string, value: string): void;
  remove(name: string): void;
  names(): string[];
}

/**
 * Record names every implementation accepts: 1-15 characters of A-Z a-z 0-9 _ - (the ESP32 Preference
 * key limit), so a name that works on the host works on the device. Implementations throw on others.
 */
export function isRecordName(name: string): boolean {
  if (name.length < 1 || name.length > 15) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}
