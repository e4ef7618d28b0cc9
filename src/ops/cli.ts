import { ConfigError, loadConfig } from "../config";
import { BackupError, backupTo, restoreFrom } from "./backup";

export const COMMANDS = ["backup", "restore"] as const;
export type Command = (typeof COMMANDS)[number];

export const isCommand = (arg: string | undefined): arg is Command => (COMMANDS as readonly string[]).includes(arg ?? "");

const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/**
 * `outro backup <file>` and `outro restore <file>`: configured by the same environment as the
 * server (DATA_DIR above all). Prints one line; answers the exit code.
 */
export async function runCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, file, ...rest] = args;
  if (!isCommand(command) || !file || rest.length) {
    console.error(`outro: usage: outro ${isCommand(command) ? command : "backup|restore"} <file>`);
    return 1;
  }
  try {
    const { dataDir } = loadConfig(env);
    if (command === "backup") {
      const done = await backupTo(dataDir, file);
      console.log(`outro: backup written to ${done.file} (${size(done.bytes)})`);
    } else {
      const done = restoreFrom(dataDir, file);
      const kept = done.previous ? `; the replaced database is kept as ${done.previous}` : "";
      console.log(`outro: restored ${done.links} link${done.links === 1 ? "" : "s"} into ${done.file}${kept}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof BackupError) console.error(`outro: ${err.message}`);
    else console.error(`outro: ${command} failed: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
