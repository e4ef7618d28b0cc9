import { mkdirSync, accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "./log";

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL")
  .transform((v) => v.replace(/\/+$/, ""));

const boolFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no", ""].includes(v), "must be true or false")
  .transform((v) => v === "true" || v === "1" || v === "yes");

const milliseconds = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number of milliseconds from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number of milliseconds from ${min} to ${max}`);

export const ConfigSchema = z.object({
  PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number from 0 to 65535")
    .transform(Number)
    .refine((n) => n <= 65535, "must be a whole number from 0 to 65535")
    .default(3000),
  HOST: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  DATA_DIR: z.string().trim().min(1, "must not be empty").default("./data"),
  PUBLIC_URL: httpUrl.optional(),
  ADMIN_PASSWORD: optionalText,
  API_TOKEN: optionalText,
  META_PIXEL_ID: z
    .string()
    .trim()
    .regex(/^\d{5,20}$/, "must be the numeric pixel id")
    .optional(),
  META_ACCESS_TOKEN: optionalText,
  META_TEST_EVENT_CODE: optionalText,
  META_GRAPH_URL: httpUrl.default("https://graph.facebook.com"),
  META_API_VERSION: z
    .string()
    .trim()
    .regex(/^v\d+\.\d+$/, "must look like v26.0")
    .default("v26.0"),
  TRUST_PROXY: boolFlag.default(false),
  BACKUP_INTERVAL_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, "must be a number of hours from 0 (off) to 8760")
    .transform(Number)
    .refine((n) => n <= 8760, "must be a number of hours from 0 (off) to 8760")
    .default(0),
  BACKUP_KEEP: z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number from 1 to 1000")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, "must be a whole number from 1 to 1000")
    .default(7),
  LINK_CHECK_INTERVAL_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, "must be a number of hours from 0 (off) to 8760")
    .transform(Number)
    .refine((n) => n <= 8760, "must be a number of hours from 0 (off) to 8760")
    .default(24),
  LINK_CHECK_TIMEOUT_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number of milliseconds from 100 to 120000")
    .transform(Number)
    .refine((n) => n >= 100 && n <= 120_000, "must be a whole number of milliseconds from 100 to 120000")
    .default(10_000),
  LINK_CHECK_HOST_GAP_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number of milliseconds from 0 to 600000")
    .transform(Number)
    .refine((n) => n <= 600_000, "must be a whole number of milliseconds from 0 to 600000")
    .default(2_000),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "smtp:" || u.protocol === "smtps:") && u.hostname !== "";
      } catch {
        return false;
      }
    }, "must look like smtp://user:pass@host:587 (or smtps:// for TLS from the start)")
    .optional(),
  SMTP_FROM: z
    .string()
    .trim()
    .max(320)
    .refine((v) => /^[^\r\n<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(v), "must be an address, or a name and <address>")
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`).default("info"),
  // Auto-fill's keyless public catalogues; tests point each at a local fake.
  ITUNES_API_URL: httpUrl.default("https://itunes.apple.com"),
  DEEZER_API_URL: httpUrl.default("https://api.deezer.com"),
  MUSICBRAINZ_API_URL: httpUrl.default("https://musicbrainz.org/ws/2"),
  ODESLI_API_URL: httpUrl.default("https://api.song.link/v1-alpha.1"),
  AUTOFILL_COUNTRY: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, "must be a two-letter country code such as US")
    .transform((v) => v.toUpperCase())
    .default("US"),
  AUTOFILL_TIMEOUT_MS: milliseconds(100, 60_000).default(4000),
  AUTOFILL_DEADLINE_MS: milliseconds(200, 120_000).default(8000),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  publicUrl?: string;
  adminPassword?: string;
  apiToken?: string;
  metaPixelId?: string;
  metaAccessToken?: string;
  metaTestEventCode?: string;
  metaGraphUrl: string;
  metaApiVersion: string;
  trustProxy: boolean;
  /** Hours between scheduled backups into DATA_DIR/backups; 0 = off. */
  backupIntervalHours: number;
  /** How many scheduled backups to keep. */
  backupKeep: number;
  logLevel: LogLevel;
  /** Hours between dead-link monitor runs; 0 = no scheduled runs ("check now" still works). */
  linkCheckIntervalHours: number;
  /** Per-request timeout of a link check. */
  linkCheckTimeoutMs: number;
  /** Pause between two link-check requests to the same host. */
  linkCheckHostGapMs: number;
  /** Auto-fill: catalogue base URLs, the store country asked, per-request timeout and overall deadline. */
  autofill: {
    itunesUrl: string;
    deezerUrl: string;
    musicbrainzUrl: string;
    odesliUrl: string;
    country: string;
    timeoutMs: number;
    deadlineMs: number;
  };
  /** Release-day mails go through this SMTP server (smtp[s]://user:pass@host:port); unset = no mail. */
  smtpUrl?: string;
  smtpFrom?: string;
};

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as a shell user expects from `FOO= cmd`.
  const present = Object.fromEntries(
    Object.keys(ConfigSchema.shape).flatMap((k) => {
      const v = env[k];
      return v === undefined || (v.trim() === "" && k !== "PORT") ? [] : [[k, v]];
    }),
  );
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    // An SMTP URL carries a password: never echo it.
    const got = name === "SMTP_URL" ? (env[name] ?? "").replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@") : env[name] ?? "";
    throw new ConfigError(`${name}: ${issue.message} (got ${JSON.stringify(got)})`);
  }
  const c = parsed.data;
  if (c.SMTP_URL && !c.SMTP_FROM) throw new ConfigError("SMTP_FROM: is required when SMTP_URL is set (the address release-day mails come from)");
  const dataDir = resolve(c.DATA_DIR);
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    throw new ConfigError(`DATA_DIR: ${dataDir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir,
    publicUrl: c.PUBLIC_URL,
    adminPassword: c.ADMIN_PASSWORD,
    apiToken: c.API_TOKEN,
    metaPixelId: c.META_PIXEL_ID,
    metaAccessToken: c.META_ACCESS_TOKEN,
    metaTestEventCode: c.META_TEST_EVENT_CODE,
    metaGraphUrl: c.META_GRAPH_URL,
    metaApiVersion: c.META_API_VERSION,
    trustProxy: c.TRUST_PROXY,
    backupIntervalHours: c.BACKUP_INTERVAL_HOURS,
    backupKeep: c.BACKUP_KEEP,
    logLevel: c.LOG_LEVEL,
    linkCheckIntervalHours: c.LINK_CHECK_INTERVAL_HOURS,
    linkCheckTimeoutMs: c.LINK_CHECK_TIMEOUT_MS,
    linkCheckHostGapMs: c.LINK_CHECK_HOST_GAP_MS,
    autofill: {
      itunesUrl: c.ITUNES_API_URL,
      deezerUrl: c.DEEZER_API_URL,
      musicbrainzUrl: c.MUSICBRAINZ_API_URL,
      odesliUrl: c.ODESLI_API_URL,
      country: c.AUTOFILL_COUNTRY,
      timeoutMs: c.AUTOFILL_TIMEOUT_MS,
      deadlineMs: c.AUTOFILL_DEADLINE_MS,
    },
    smtpUrl: c.SMTP_URL,
    smtpFrom: c.SMTP_FROM,
  };
}
