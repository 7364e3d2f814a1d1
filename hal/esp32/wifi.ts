/**
 * Wi-Fi: join the network saved in preferences; with none saved (first boot), or when joining fails, open
 * an access point "xsphone-XXXX" with a one-page configuration server (http://192.168.4.1/) that saves
 * the credentials (and an optional provisioning URL) and restarts.
 */
import 'system';
import { Server, type Request, type ServerMessages } from 'http';
import Net from 'net';
import Preference from 'preference';
import Timer from 'timer';
import WiFi from 'wifi';
import { configPage, parseConfigForm, type WifiCredentials } from './wifi-config.js';

const DOMAIN = 'xswifi';

export function savedCredentials(): WifiCredentials | undefined {
  const ssid = Preference.get(DOMAIN, 'ssid');
  if (typeof ssid !== 'string' || !ssid) return undefined;
  const password = Preference.get(DOMAIN, 'password');
  const provisionUrl = Preference.get(DOMAIN, 'provision');
  return { ssid, password: typeof password === 'string' ? password : '', ...(typeof provisionUrl === 'string' && provisionUrl ? { provisionUrl } : {}) };
}

function save(c: WifiCredentials): void {
  Preference.set(DOMAIN, 'ssid', c.ssid);
  Preference.set(DOMAIN, 'password', c.password);
  if (c.provisionUrl) Preference.set(DOMAIN, 'provision', c.provisionUrl);
  else Preference.delete(DOMAIN, 'provision');
}

/** Joins the saved network; resolves with the IP address, rejects after `timeoutMs` without one. */
export function joinWifi(c: WifiCredentials, timeoutMs = 30000): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = Timer.set(() => {
      if (settled) return;
      settled = true;
      wifi.close();
      reject(new Error(`Wi-Fi "${c.ssid}": no connection within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const wifi = new WiFi({ ssid: c.ssid, ...(c.password ? { password: c.password } : {}) }, (message) => {
      if (message === WiFi.gotIP && !settled) {
        settled = true;
        Timer.clear(timer);
        resolve(Net.get('IP'));
      }
    });
  });
}

/** Opens the set-up access point and serves the configuration page until the user saves (then restarts). */
export function startSetupAccessPoint(message = ''): void {
  const mac = (Net.get('MAC') || '').replace(/:/g, '').slice(-4).toUpperCase();
  const name = `xsphone-${mac}`;
  WiFi.accessPoint({ ssid: name });
  const server = new Server({ port: 80 });
  server.callback = function (this: Request & { method?: unknown; body?: unknown }, msg: ServerMessages, value?: unknown) {
    // Moddable http Server: 2 = status (method, path), 4 = headers complete, 6 = request body, 8 = prepare response.
    if (msg === Server.status) this.method = value;
    else if (msg === Server.headersComplete) return String as unknown as string; // ask for the body as a string
    else if (msg === Server.requestComplete) this.body = value;
    else if (msg === Server.prepareResponse) {
      if (this.method === 'POST') {
        const form = parseConfigForm(typeof this.body === 'string' ? this.body : '');
        if (!form.ok) return html(configPage(name, form.error));
        save(form.value);
        Timer.set(() => System.restart(), 1500);
        return html(`<!doctype html><p>Saved. ${name} restarts and joins "${form.value.ssid}".</p>`);
      }
      return html(configPage(name, message));
    }
    return undefined;
  };
}

function html(body: string) {
  return { headers: ['Content-Type', 'text/html; charset=utf-8'], body };
}
