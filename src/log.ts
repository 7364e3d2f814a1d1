/** Levelled logging without host dependencies; a sink is injected by the platform. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const ORDER: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogSink = (level: LogLevel, area: string, message: string) => void;

export class Logger {
  constructor(
    readonly area: string,
    private sink: LogSink | undefined,
    private level: LogLevel = 'info',
  ) {}

  child(area: string): Logger {
    return new Logger(`${this.area}/${area}`, this.sink, this.level);
  }

  enabled(level: LogLevel): boolean {
    return this.sink !== undefined && ORDER[level] <= ORDER[this.level];
  }

  error(message: string): void {
    if (this.enabled('error')) this.sink!('error', this.area, message);
  }
  warn(message: string): void {
    if (this.enabled('warn')) this.sink!('warn', this.area, message);
  }
  info(message: string): void {
    if (this.enabled('info')) this.sink!('info', this.area, message);
  }
  debug(message: string): void {
    if (this.enabled('debug')) this.sink!('debug', this.area, message);
  }
}

/** A logger that prints nothing. */
export const silent = new Logger('', undefined);
