/**
 * The HAL Ota on the ESP32: Moddable's `ota` module writes the next OTA partition; its complete() both
 * finishes the image and makes it the boot partition, so HAL complete() only checks the size and
 * activate() calls the native complete(). Trial and rollback: `ota` has no rollback API. With
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (hal/esp32/sdkconfig) the boot loader starts a new image as
 * PENDING_VERIFY and returns to the previous one when it restarts unconfirmed; the small native module
 * hal/esp32/native (xsphone/rollback) reads that state and marks the app valid (markGood). Pure JS
 * cannot: without the native module, markGood() only records the version and no rollback happens.
 */
import 'system';
import OTA from 'ota';
import Preference from 'preference';
import { markValid, pendingVerify, rollback } from 'xsphone/rollback';
import type { Ota, OtaImageInfo, OtaWrite } from '../ota.js';

const DOMAIN = 'xsota';

export class Esp32Ota implements Ota {
  readonly #version: string;
  readonly #trial: boolean;
  #pending: OTA | undefined;
  #writing = false;

  /** `version` is the running firmware's own version (from the build). */
  constructor(version: string) {
    this.#version = version;
    this.#trial = pendingVerify();
  }

  running(): OtaImageInfo {
    return { version: this.#version, confirmed: !this.#trial };
  }

  begin(size: number, version: string): OtaWrite {
    if (this.#writing) throw new Error('OTA: an update is already being written');
    if (this.#trial) throw new Error('OTA: the running image is on trial; mark it good before another update');
    this.#pending?.cancel();
    this.#pending = undefined;
    const ota = new OTA({ byteLength: size });
    this.#writing = true;
    let written = 0;
    let open = true;
    const end = () => {
      open = false;
      this.#writing = false;
    };
    return {
      write: (chunk) => {
        if (!open) throw new Error('OTA: write after complete or cancel');
        if (written + chunk.length > size) throw new Error(`OTA: image larger than announced (${written + chunk.length} > ${size} bytes)`);
        ota.write(chunk);
        written += chunk.length;
      },
      complete: () => {
        if (!open) throw new Error('OTA: complete after complete or cancel');
        if (written !== size) throw new Error(`OTA: image incomplete: ${written} of ${size} bytes`);
        end();
        this.#pending = ota;
        Preference.set(DOMAIN, 'staged', version);
      },
      cancel: () => {
        if (open) ota.cancel();
        end();
      },
    };
  }

  activate(): void {
    const ota = this.#pending;
    if (!ota) throw new Error('OTA: no completed image to activate');
    this.#pending = undefined;
    ota.complete(); // esp_ota_end (checks the image) + esp_ota_set_boot_partition
  }

  restart(): void {
    // A trial image that restarts unconfirmed is rolled back by the boot loader; say so explicitly.
    if (this.#trial) rollback();
    System.restart(); // esp_restart()
  }

  markGood(): void {
    if (!this.#trial) return;
    markValid();
    Preference.delete(DOMAIN, 'staged');
  }
}
