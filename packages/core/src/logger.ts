/**
 * Library code logs through `createLogger(namespace)`, never `console.*`. The sink and level are global
 * and configurable (`setLogLevel`, `setLogSink`), so a CLI can print and a test can stay silent.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LogRecord {
  level: Exclude<LogLevel, 'silent'>;
  namespace: string;
  message: string;
  data?: Readonly<Record<string, unknown>> | undefined;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function defaultLevel(): LogLevel {
  const env = typeof process !== 'undefined' ? process.env.LVR_LOG_LEVEL : undefined;
  if (env && env in ORDER) return env as LogLevel;
  return 'warn';
}

const stderrSink: LogSink = (r) => {
  const extra = r.data && Object.keys(r.data).length > 0 ? ` ${JSON.stringify(r.data)}` : '';
  process.stderr.write(`[${r.level}] ${r.namespace}: ${r.message}${extra}\n`);
};

let currentLevel: LogLevel = defaultLevel();
let currentSink: LogSink = stderrSink;

export function setLogLevel(level: LogLevel): void {
  currentLevel = level;
}

export function getLogLevel(): LogLevel {
  return currentLevel;
}

/** Replaces the log sink; returns the previous one so callers can restore it. */
export function setLogSink(sink: LogSink): LogSink {
  const prev = currentSink;
  currentSink = sink;
  return prev;
}

export function createLogger(namespace: string): Logger {
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, data?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[currentLevel]) return;
    currentSink({ level, namespace, message, data });
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}
