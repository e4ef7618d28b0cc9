import type { Database } from "bun:sqlite";
import type { Config } from "../config";

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
}

export type SettingKey = keyof Settings;

const DEFAULTS: Settings = {
  pixelId: null,
  accessToken: null,
  testEventCode: null,
  clickEventName: "Lead",
  consentMode: "none",
  limitedDataUse: false,
};

export function settingsService(db: Database, config: Config) {
  const read = db.query<{ key: string; value: string }, []>("SELECT key, value FROM settings");
  const write = db.query<null, { key: string; value: string }>(
    "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const remove = db.query<null, { key: string }>("DELETE FROM settings WHERE key = $key");
  const readOne = db.query<{ value: string }, { key: string }>("SELECT value FROM settings WHERE key = $key");

  const fromEnv: Partial<Settings> = {
    ...(config.metaPixelId ? { pixelId: config.metaPixelId } : {}),
    ...(config.metaAccessToken ? { accessToken: config.metaAccessToken } : {}),
    ...(config.metaTestEventCode ? { testEventCode: config.metaTestEventCode } : {}),
  };

  let cached: Settings | null = null;
  const load = (): Settings => {
    const stored: Record<string, unknown> = {};
    for (const row of read.all()) stored[row.key] = JSON.parse(row.value);
    return { ...DEFAULTS, ...stored, ...fromEnv } as Settings;
  };

  return {
    /** The effective settings, cached in memory until the next change. */
    get: (): Settings => (cached ??= load()),
    /** Which settings come from the environment (the admin shows them read-only). */
    lockedByEnv: (key: SettingKey) => key in fromEnv,
    /** Stores one setting; null or undefined removes it (back to the default). */
    set<K extends SettingKey>(key: K, value: Settings[K] | null | undefined) {
      if (value === null || value === undefined) remove.run({ key });
      else write.run({ key, value: JSON.stringify(value) });
      cached = null;
    },
    /** Free-form values other modules keep (e.g. the admin password hash); never shown in the admin. */
    getRaw: (key: string): string | null => {
      const row = readOne.get({ key });
      return row ? (JSON.parse(row.value) as string) : null;
    },
    setRaw: (key: string, value: string | null) => {
      if (value === null) remove.run({ key });
      else write.run({ key, value: JSON.stringify(value) });
      cached = null;
    },
  };
}
export type SettingsService = ReturnType<typeof settingsService>;
