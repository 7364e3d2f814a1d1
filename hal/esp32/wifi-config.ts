/**
 * The first-boot configuration page's logic, platform-free (tested in the core lane): the HTML form, and
 * parsing of its urlencoded POST into Wi-Fi credentials and an optional provisioning URL.
 */
export interface WifiCredentials {
  ssid: string;
  password: string;
  /** Provisioning server URL (optional). */
  provisionUrl?: string;
}

export type FormResult = { ok: true; value: WifiCredentials } | { ok: false; error: string };

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The configuration page; `message` is shown above the form (e.g. why the last attempt failed). */
export function configPage(deviceName: string, message = ''): string {
  return `<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>${escapeHtml(deviceName)}</title></head><body>
<h1>${escapeHtml(deviceName)} set-up</h1>${message ? `<p><b>${escapeHtml(message)}</b></p>` : ''}
<form method="POST" action="/"><p>Wi-Fi network<br><input name="ssid" maxlength="32" required></p>
<p>Password<br><input name="password" type="password" maxlength="64"></p>
<p>Provisioning URL (optional)<br><input name="provision" placeholder="https://prov.example.com/phones"></p>
<p><button>Save and restart</button></p></form></body></html>`;
}

function decodeComponent(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Parses application/x-www-form-urlencoded; SSID 1-32 bytes, WPA2 password empty or 8-63 characters. */
export function parseConfigForm(body: string): FormResult {
  const fields = new Map<string, string>();
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const v = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) return { ok: false, error: 'The form could not be read' };
    fields.set(k, v);
  }
  const ssid = fields.get('ssid') ?? '';
  const password = fields.get('password') ?? '';
  const provision = (fields.get('provision') ?? '').trim();
  const ssidBytes = new TextEncoder().encode(ssid).length;
  if (ssidBytes < 1 || ssidBytes > 32) return { ok: false, error: 'The Wi-Fi network name must be 1 to 32 bytes' };
  if (password.length !== 0 && (password.length < 8 || password.length > 63)) return { ok: false, error: 'The Wi-Fi password must be 8 to 63 characters (or empty for an open network)' };
  if (provision && !/^https?:\/\/[^\s]+$/i.test(provision)) return { ok: false, error: 'The provisioning URL must start with http:// or https://' };
  return { ok: true, value: provision ? { ssid, password, provisionUrl: provision } : { ssid, password } };
}
