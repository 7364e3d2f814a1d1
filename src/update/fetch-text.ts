/** GETs a small text resource (manifest, provisioning file) over the HAL HTTP client. */
import type { HttpClient, HttpGetOptions } from '../../hal/http.js';

export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/** Resolves with the status and the body as UTF-8; rejects with an Error saying why (unreachable, too large). */
export function fetchText(http: HttpClient, url: string, maxBytes: number, options?: HttpGetOptions): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let length = 0;
    let status = 0;
    let tooLarge = false;
    const req = http.get(
      url,
      {
        onHead: (head) => {
          status = head.status;
          if (head.size !== undefined && head.size > maxBytes) {
            tooLarge = true;
            req.abort();
          }
        },
        onChunk: (chunk) => {
          if (tooLarge) return;
          length += chunk.length;
          if (length > maxBytes) {
            tooLarge = true;
            req.abort();
            return;
          }
          parts.push(chunk);
        },
        onDone: (error) => {
          if (tooLarge) return reject(new Error(`${url}: larger than ${maxBytes} bytes`));
          if (error) return reject(error);
          const all = new Uint8Array(length);
          let off = 0;
          for (const p of parts) {
            all.set(p, off);
            off += p.length;
          }
          let text: string;
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(all);
          } catch {
            return reject(new Error(`${url}: not UTF-8 text`));
          }
          resolve({ status, text });
        },
      },
      options,
    );
  });
}
