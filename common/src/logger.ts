import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Structured JSON logs, one line per event, with stable snake_case fields
 * (`service`, `conn_id`, `user_id`, `stream`, `consumer`, ...). Components
 * take a child logger named after themselves.
 */
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
