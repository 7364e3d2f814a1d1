/** Settings kept through the HAL storage, whose writes are atomic: a crash mid-save leaves the old or the new settings. */
import type { Storage } from '../../hal/storage.js';
import { defaultSettings, validateSettings, type Settings, type Validation } from './settings.js';

const RECORD = 'settings';

export type LoadResult = { settings: Settings; problem?: string };

export class SettingsStore {
  constructor(private storage: Storage) {}

  /** Reads the saved settings; unreadable or invalid ones are reported and left on storage untouched. */
  load(): LoadResult {
    const text = this.storage.read(RECORD);
    if (text === undefined) return { settings: defaultSettings() };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { settings: defaultSettings(), problem: 'Saved settings are unreadable; using defaults' };
    }
    const v = validateSettings(json);
    if (v.ok) return { settings: v.value };
    return { settings: defaultSettings(), problem: `Saved settings are invalid: ${v.errors[0]}` };
  }

  /** Validates and saves; returns the errors instead of saving anything invalid. */
  save(candidate: unknown): Validation<Settings> {
    const v = validateSettings(candidate);
    if (v.ok) this.storage.write(RECORD, JSON.stringify(v.value));
    return v;
  }
}
