/**
 * The phone's screen on an SPI display through Commodetto/Poco (the `screen` global that
 * setup/commodetto creates from the manifest's config.screen, rotated by config.rotation). Layout on 320x240: a status bar, four body
 * lines and four soft-key labels. Each region is redrawn only when its text changed, so an unchanged
 * render() costs a few string compares and no SPI traffic.
 */
import parseBMF from 'commodetto/parseBMF';
import Poco from 'commodetto/Poco';
import Resource from 'Resource';
import type { Display, DisplayScreen } from '../display.js';

const STATUS_H = 26;
const SOFT_H = 30;
const MARGIN = 4;

export class PocoDisplay implements Display {
  readonly columns: number;
  readonly rows = 4;
  readonly #poco: InstanceType<typeof Poco>;
  readonly #font: ReturnType<typeof parseBMF>;
  readonly #bg: number;
  readonly #fg: number;
  readonly #barBg: number;
  readonly #barFg: number;
  /** Last text drawn per region: status, body lines, soft keys (undefined = never drawn). */
  readonly #drawn: (string | undefined)[];

  constructor(fontResource = 'OpenSans-Regular-16.bf4') {
    const poco = new Poco(screen, { displayListLength: 1024 });
    this.#poco = poco;
    this.#font = parseBMF(new Resource(fontResource));
    this.#bg = poco.makeColor(255, 255, 255);
    this.#fg = poco.makeColor(0, 0, 0);
    this.#barBg = poco.makeColor(32, 64, 128);
    this.#barFg = poco.makeColor(255, 255, 255);
    this.columns = Math.floor((poco.width - 2 * MARGIN) / Math.max(1, poco.getTextWidth('M', this.#font) - 2));
    this.#drawn = new Array<string | undefined>(1 + this.rows + 4).fill(undefined);
    poco.begin();
    poco.fillRectangle(this.#bg, 0, 0, poco.width, poco.height);
    poco.end();
  }

  render(screen: DisplayScreen): void {
    const s = screen.status;
    const icons = s.icons.join(' ');
    this.#region(0, `${s.line}\u0000${s.registration}\u0000${s.time}\u0000${icons}`, () => this.#drawStatus(s.line, s.registration, s.time, icons));
    const bodyH = this.#poco.height - STATUS_H - SOFT_H;
    const lineH = Math.floor(bodyH / this.rows);
    for (let i = 0; i < this.rows; i++) {
      const text = (screen.lines[i] ?? '').slice(0, this.columns);
      const y = STATUS_H + i * lineH;
      this.#region(1 + i, text, () => this.#box(this.#bg, this.#fg, text, 0, y, this.#poco.width, lineH, 'left'));
    }
    const w = Math.floor(this.#poco.width / 4);
    for (let k = 0; k < 4; k++) {
      const label = screen.softKeys[k] ?? '';
      const y = this.#poco.height - SOFT_H;
      this.#region(1 + this.rows + k, label, () => this.#box(label ? this.#barBg : this.#bg, this.#barFg, label, k * w, y, w - 1, SOFT_H, 'center'));
    }
  }

  #region(index: number, key: string, draw: () => void): void {
    if (this.#drawn[index] === key) return;
    this.#drawn[index] = key;
    draw();
  }

  #drawStatus(line: string, registration: string, time: string, icons: string): void {
    const poco = this.#poco;
    const f = this.#font;
    poco.begin(0, 0, poco.width, STATUS_H);
    poco.fillRectangle(this.#barBg, 0, 0, poco.width, STATUS_H);
    const y = (STATUS_H - f.height) >> 1;
    const timeW = poco.getTextWidth(time, f);
    poco.drawText(time, f, this.#barFg, poco.width - timeW - MARGIN, y);
    const left = icons ? `${line}  ${icons}` : line;
    const right = registration;
    const rightW = poco.getTextWidth(right, f);
    poco.drawText(right, f, this.#barFg, poco.width - timeW - rightW - 3 * MARGIN, y);
    poco.drawText(left, f, this.#barFg, MARGIN, y, poco.width - timeW - rightW - 5 * MARGIN);
    poco.end();
  }

  #box(bg: number, fg: number, text: string, x: number, y: number, w: number, h: number, align: 'left' | 'center'): void {
    const poco = this.#poco;
    const f = this.#font;
    poco.begin(x, y, w, h);
    poco.fillRectangle(bg, x, y, w, h);
    if (text) {
      const tw = poco.getTextWidth(text, f);
      const tx = align === 'center' ? x + Math.max(0, (w - tw) >> 1) : x + MARGIN;
      poco.drawText(text, f, fg, tx, y + ((h - f.height) >> 1), w - MARGIN);
    }
    poco.end();
  }
}
