import { ConfigError, loadConfig } from "./config";
import { openDatabase } from "./db/open";
import { createApp } from "./app";
import { isCommand, runCommand } from "./ops/cli";

// `outro backup <file>` / `outro restore <file>` run and exit; they never start the server.
if (isCommand(process.argv[2])) process.exit(await runCommand(process.argv.slice(2)));

function fail(message: string): never {
  console.error(`outro: ${message}`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}

let db: ReturnType<typeof openDatabase>;
try {
  db = openDatabase(config.dataDir);
} catch (err) {
  fail(`DATA_DIR: cannot open the database in ${config.dataDir} (${(err as Error).message})`);
}

const outro = createApp({ config, db });
const server = outro.app.listen({ port: config.port, hostname: config.host, maxRequestBodySize: 8 * 1024 * 1024, development: false });
console.log(`outro listening on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.server!.port}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`outro: ${signal}, finishing requests`);
  // Stop accepting, let in-flight requests finish, then commit what is queued and close cleanly.
  await server.stop();
  await outro.close();
  db.close();
  console.log("outro: stopped cleanly");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
