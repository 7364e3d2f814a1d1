import type { Display, DisplayScreen } from '../display.js';

export interface TextDisplayOptions {
  columns?: number;
  rows?: number;
  /** Called with each screen that differs from the previous one (the simulator pushes it to the page). */
  onChange?: (screen: DisplayScreen, text: string) => void;
}

function fit(s: string, width: number): string {
  return s.length > width ? s.slice(0, width) : s.padEnd(width);
}

/** A display that keeps the last screen and renders it as plain text, for the simulator, logs and tests. */
export class TextDisplay implements Display {
  readonly columns: number;
  readonly rows: number;
  readonly #onChange: ((screen: DisplayScreen, text: string) => void) | undefined;
  #screen: DisplayScreen | undefined;
  #text = '';

  constructor(options: TextDisplayOptions = {}) {
    this.columns = options.columns ?? 24;
    this.rows = options.rows ?? 4;
    this.#onChange = options.onChange;
  }

  render(screen: DisplayScreen): void {
    const text = this.format(screen);
    if (text === this.#text) return;
    // Keep a copy: the app may reuse its screen object.
    this.#screen = {
      status: { ...screen.status, icons: [...screen.status.icons] },
      lines: [...screen.lines],
      softKeys: [...screen.softKeys],
    };
    this.#text = text;
    this.#onChange?.(this.#screen, text);
  }

  /** The last screen rendered, or undefined before the first. */
  get screen(): DisplayScreen | undefined {
    return this.#screen;
  }

  /** The last screen as text: status bar, `rows` body lines, soft keys; each line `columns` wide. */
  get text(): string {
    return this.#text;
  }

  format(screen: DisplayScreen): string {
    const w = this.columns;
    const s = screen.status;
    const right = [...s.icons, s.time].filter((x) => x !== '').join(' ');
    const left = fit(`${s.line} ${s.registration}`.trim(), Math.max(0, w - right.length - 1));
    const status = fit(`${left} ${right}`, w);
    const body: string[] = [];
    for (let i = 0; i < this.rows; i++) body.push(fit(screen.lines[i] ?? '', w));
    const cell = Math.floor(w / 4);
    const keys = fit([0, 1, 2, 3].map((i) => fit(screen.softKeys[i] ?? '', cell - 1)).join('|'), w);
    return [status, ...body, keys].join('\n');
  }
}
