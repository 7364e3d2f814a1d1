// Declarations for the Moddable SDK modules the phone uses that @moddable/typings (5.6.0) does not
// declare, written from the SDK's sources and documentation (paths are inside the Moddable SDK).
// Used only by tsconfig.esp32.json.

/** build/devices/esp32/modules/ota: ESP-IDF OTA into the next update partition (esp_ota_begin/write/end). */
declare module 'ota' {
  export default class OTA {
    /** Erases the next OTA partition (esp_ota_begin with sequential writes); throws "no update parition" / "begin failed". */
    constructor(options?: { byteLength?: number });
    /** Appends bytes (esp_ota_write); throws "write failed". */
    write(data: ArrayBuffer | ArrayBufferView): void;
    /** Abandons the image (esp_ota_end without switching). */
    cancel(): void;
    /** Validates the image (esp_ota_end) and makes it the boot partition (esp_ota_set_boot_partition). */
    complete(): void;
  }
}

/** modules/crypt/digest/crypt.js: native hashes and ciphers. */
declare module 'crypt' {
  /** "MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512". */
  export class Digest {
    constructor(type: string);
    write(data: ArrayBuffer | ArrayBufferView): void;
    /** The digest of everything written; reset() before reuse. */
    close(): ArrayBuffer;
    reset(): void;
    process(...data: (ArrayBuffer | ArrayBufferView)[]): ArrayBuffer;
    update(data: ArrayBuffer | ArrayBufferView): void;
    readonly blockSize: number;
    readonly outputSize: number;
  }
  /**
   * "AES" (16/24/32-byte key), "DES", "TDES". encrypt(data, result) works on one block. modCrypt.c reads
   * data and result with xsmcToArrayBuffer: they must be ArrayBuffers, not typed-array views.
   */
  export class BlockCipher {
    constructor(cipher: string, key: ArrayBuffer);
    encrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    decrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    readonly keySize: number;
    readonly blockSize: number;
  }
}

/** modules/crypt/etc/hmac.js (from tls_common.json): HMAC over a crypt Digest. */
declare module 'hmac' {
  import type { Digest } from 'crypt';
  export default class HMAC {
    constructor(hash: Digest, key: ArrayBuffer | ArrayBufferView, bitlen?: number);
    update(...data: (ArrayBuffer | ArrayBufferView)[]): void;
    close(): ArrayBuffer;
    reset(): void;
    process(...data: (ArrayBuffer | ArrayBufferView)[]): ArrayBuffer;
  }
}

/** modules/crypt/etc/rng.js: the platform RNG (esp_fill_random on ESP32). */
declare module 'rng' {
  const RNG: {
    get(count: number): ArrayBuffer;
    init(seed?: ArrayBuffer): void;
  };
  export default RNG;
}

/** hal/esp32/native/rollback.js + rollback.c: ESP-IDF app rollback calls the ota module lacks. */
declare module 'xsphone/rollback' {
  /** True when the running app is on trial (ESP_OTA_IMG_PENDING_VERIFY); needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE. */
  export function pendingVerify(): boolean;
  /** esp_ota_mark_app_valid_cancel_rollback(). */
  export function markValid(): void;
  /** esp_ota_mark_app_invalid_rollback_and_reboot(): does not return when a previous app exists. */
  export function rollback(): void;
}

/** modules/io/system/system.js (in $(MODDABLE)/modules/io/manifest.json): installs the global System. */
declare module 'system' {}
// eslint-disable-next-line no-var
declare var System: typeof import('embedded:io/system').default;
