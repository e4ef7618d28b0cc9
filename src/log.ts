import pino, { type DestinationStream, type Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One JSON object a line on stdout: time (ISO), level as a word, msg and fields. */
export function createLogger(level: LogLevel = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

const envLevel = process.env.LOG_LEVEL?.trim().toLowerCase();
/** The process's logger. config.ts rejects a bad LOG_LEVEL at start; here it only falls back. */
export const log: Logger = createLogger(LOG_LEVELS.includes(envLevel as LogLevel) ? (envLevel as LogLevel) : "info");

/** For modules that take a `log(entry)` callback (e.g. the outbox sender): entry.level picks the method. */
export function logEntry({ level, msg, ...fields }: Record<string, unknown>): void {
  const method = typeof level === "string" && (LOG_LEVELS as readonly string[]).includes(level) && level !== "silent" ? (level as Exclude<LogLevel, "silent">) : "info";
  log[method](fields, typeof msg === "string" ? msg : "");
}

const GOOD_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A request id for an error's log line and its answer: the proxy's X-Request-Id when it looks
 * sane, else a fresh one. Made only where an error is logged, never per request on the hot paths.
 */
export function requestId(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && GOOD_ID.test(given) ? given : crypto.randomUUID();
}
