// Host functions of hal/esp32/native/rollback.c (declared for TypeScript in types/moddable-extra.d.ts as "xsphone/rollback").
export function pendingVerify() @ "xs_xsphone_pending_verify";
export function markValid() @ "xs_xsphone_mark_valid";
export function rollback() @ "xs_xsphone_rollback";
