import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import { isTimeZone } from "../stats/time-zone";
import { settingsRepo, storedValue } from "./repo";

/** Instance settings an artist changes in the admin. Environment variables win over stored values. */
export interface Settings {
  pixelId: string | null;
  accessToken: string | null;
  testEventCode: string | null;
  /** Default click-out event name: a Meta standard event or a custom name. */
  clickEventName: string;
  /** "none": the Pixel runs at once; "opt-in": it waits for the fan's consent (banner). */
  consentMode: "none" | "opt-in";
  /** Meta's Limited Data Use for US state privacy laws. */
  limitedDataUse: boolean;
  /** IANA time zone where the instance's days start (stats, daily visitor salts). */
  timeZone: string;
  /** Raw click and view rows older than this many days are deleted in the background; rollups stay. 0 keeps them forever. */
  rawRetentionDays: number;
  /** The consent line next to the fan signup checkbox, stored with each signup as shown. */
  signupConsentText: string;
  /** The Meta event a fan signup sends (Pixel + CAPI). */
  signupEventName: string;
  /** Optional URL that receives each new fan as signed JSON. */
  fanWebhookUrl: string | null;
  /** HMAC-SHA256 key for the webhook's X-Outro-Signature. */
  fanWebhookSecret: string | null;
  /** Hide a destination the dead-link monitor found broken from the pages until a check sees it work again. */
  hideBrokenDestinations: boolean;
}

export type SettingKey = keyof Settings;

const DEFAULTS: Settings = {
  pixelId: null,
  accessToken: null,
  testEventCode: null,
  clickEventName: "Lead",
  consentMode: "none",
  limitedDataUse: false,
  timeZone: "UTC",
  rawRetentionDays: 396,
  signupConsentText: "Yes, email me about new music and shows. I can unsubscribe at any time.",
  signupEventName: "CompleteRegistration",
  fanWebhookUrl: null,
  fanWebhookSecret: null,
  hideBrokenDestinations: false,
};

/** Values a stored setting must satisfy; a bad one is refused on write and ignored on read. */
const VALID: { [K in SettingKey]?: (v: unknown) => boolean } = {
  timeZone: (v) => typeof v === "string" && isTimeZone(v),
  rawRetentionDays: (v) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 36_500,
};

export class InvalidSettingError extends Error {}

export function settingsService(db: Database, config: Config) {
  const repo = settingsRepo(db);

  const fromEnv: Partial<Settings> = {
    ...(config.metaPixelId ? { pixelId: config.metaPixelId } : {}),
    ...(config.metaAccessToken ? { accessToken: config.metaAccessToken } : {}),
    ...(config.metaTestEventCode ? { testEventCode: config.metaTestEventCode } : {}),
  };

  let cached: Settings | null = null;
  const load = (): Settings => {
    const stored: Record<string, unknown> = {};
    for (const row of repo.all()) {
      const value = JSON.parse(row.value);
      if (VALID[row.key as SettingKey]?.(value) !== false) stored[row.key] = value;
    }
    return { ...DEFAULTS, ...stored, ...fromEnv } as Settings;
  };

  return {
    /** The effective settings, cached in memory until the next change. */
    get: (): Settings => (cached ??= load()),
    /** Which settings come from the environment (the admin shows them read-only). */
    lockedByEnv: (key: SettingKey) => key in fromEnv,
    /** Stores one setting; null or undefined removes it (back to the default). */
    set<K extends SettingKey>(key: K, value: Settings[K] | null | undefined) {
      if (value !== null && value !== undefined && VALID[key]?.(value) === false) throw new InvalidSettingError(`${key}: not a valid value`);
      if (value === null || value === undefined) repo.remove(key);
      else repo.write(key, JSON.stringify(value));
      cached = null;
    },
    /** Free-form values other modules keep (e.g. the admin password hash); never shown in the admin. */
    getRaw: (key: string): string | null => {
      const json = repo.value(key);
      return json !== null ? (JSON.parse(json) as string) : null;
    },
    setRaw: (key: string, value: string | null) => {
      if (value === null) repo.remove(key);
      else repo.write(key, JSON.stringify(value));
      cached = null;
    },
  };
}
export type SettingsService = ReturnType<typeof settingsService>;

/**
 * One setting read straight from the database, for threads and modules without the service
 * (the rollup worker, stats). Only for settings no environment variable overrides.
 */
export function storedSetting<K extends "timeZone" | "rawRetentionDays">(db: Database, key: K): Settings[K] {
  const json = storedValue(db, key);
  const value = json !== null ? JSON.parse(json) : undefined;
  return value !== undefined && VALID[key]!(value) ? value : DEFAULTS[key];
}
