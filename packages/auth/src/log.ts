import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Secrets are never handed to the logger; these paths are a second net in case
 * one is passed by mistake. Matching is by key name at the first two levels.
 */
const SECRET_KEYS = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "hash",
  "token",
  "accessToken",
  "refreshToken",
  "mfaToken",
  "resetToken",
  "secret",
  "code",
  "apiKey",
  "authorization",
  "cookie",
  "set-cookie",
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), "req.headers.authorization", "req.headers.cookie"],
        censor: "[redacted]",
      },
    },
    options.destination,
  );
}
