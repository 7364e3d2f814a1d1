/**
 * A small text display. The phone app owns the screen model and passes plain data; the display only
 * draws it (truncating lines wider than `columns`). src/phone/screen.ts's Screen fits this shape.
 */
export interface DisplayStatus {
  /** Active line/account label, e.g. "alice@pbx". */
  readonly line: string;
  /** Registration state in words, e.g. "Registered". */
  readonly registration: string;
  /** Clock text, e.g. "14:05". */
  readonly time: string;
  /** Short status icons by name, e.g. "MUTE", "DND", "FWD", "MWI 2"; drawn as glyphs or text. */
  readonly icons: readonly string[];
}

export interface DisplayScreen {
  readonly status: DisplayStatus;
  /** Body text lines, top to bottom; at most `rows` are shown. */
  readonly lines: readonly string[];
  /** Labels of soft keys 1..4, left to right; "" leaves a key unlabelled. */
  readonly softKeys: readonly string[];
}

export interface Display {
  /** Characters per body line and number of body lines the display can show. */
  readonly columns: number;
  readonly rows: number;
  /** Draws a whole screen; cheap to call again with an unchanged screen (implementations diff). */
  render(screen: DisplayScreen): void;
}
