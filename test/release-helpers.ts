import { rmSync } from "node:fs";
import { SMTPServer } from "smtp-server";
import type { Database } from "bun:sqlite";
import { loadConfig, type Config } from "../src/config";
import { openDatabase } from "../src/db/open";
import { createApp } from "../src/app";
import { HUMAN_UA, TOKEN, tempDir } from "./helpers";

/** A fake clock the test moves by hand. */
export function fakeClock(start: number) {
  let now = start;
  return { now: () => now, set: (t: number) => { now = t; }, advance: (ms: number) => { now += ms; } };
}

export interface ReleaseApp {
  base: string;
  db: Database;
  config: Config;
  dataDir: string;
  outro: ReturnType<typeof createApp>;
  req(path: string, init?: RequestInit): Promise<Response>;
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops the server and the app; keeps the data directory (for a restart) unless told otherwise. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * Like startApp, but a restart can reopen the same data directory, and the refill hook can be
 * injected — what release day needs to prove catch-up and exactly-once behaviour.
 */
export async function startReleaseApp(opts: { clock: () => number; env?: Record<string, string>; dataDir?: string; refill?: (slug: string) => Promise<unknown> }): Promise<ReleaseApp> {
  const dataDir = opts.dataDir ?? tempDir("outro-release-");
  // Meta and the auto-fill catalogues are out of reach, as in startApp; a test points them at its fakes.
  const offline = { ITUNES_API_URL: "http://127.0.0.1:9", DEEZER_API_URL: "http://127.0.0.1:9", MUSICBRAINZ_API_URL: "http://127.0.0.1:9", ODESLI_API_URL: "http://127.0.0.1:9" };
  const config = loadConfig({ DATA_DIR: dataDir, API_TOKEN: TOKEN, PORT: "0", META_GRAPH_URL: "http://127.0.0.1:9", ...offline, ...opts.env });
  const db = openDatabase(config.dataDir);
  const outro = createApp({ config, db, clock: opts.clock, refill: opts.refill });
  const server = outro.app.listen({ port: 0, hostname: "127.0.0.1" });
  const base = `http://127.0.0.1:${server.server!.port}`;
  const req = (path: string, init: RequestInit = {}) => fetch(base + path, { redirect: "manual", ...init });
  return {
    base, db, config, dataDir, outro, req,
    api: (method, path, body) =>
      req(path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }),
    async close({ keepData = true } = {}) {
      await server.stop(true);
      await outro.close();
      db.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs a fan up through the page's own form, like a browser would (the clock moves past the bot guard). */
export async function signUp(t: ReleaseApp, clock: ReturnType<typeof fakeClock>, slug: string, email: string, name = "") {
  const html = await (await t.req(`/${slug}`, { headers: { "user-agent": HUMAN_UA } })).text();
  const token = /name="t" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no signup form on /${slug}`);
  clock.advance(5_000);
  const res = await t.req(`/${slug}/subscribe`, {
    method: "POST",
    headers: { "user-agent": HUMAN_UA, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ email, name, consent: "on", website: "", t: token }).toString(),
  });
  const answer = await res.json();
  if (!answer.ok) throw new Error(`signup refused: ${JSON.stringify(answer)}`);
  return answer;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Headers unfolded and the body's quoted-printable decoded, for assertions. */
  text: string;
}

/** Quoted-printable and folded headers undone, so assertions read the message as a person would. */
function readable(raw: string): string {
  const unfolded = raw.replace(/\r\n[ \t]+/g, " ").replace(/=\r\n/g, "");
  const bytes = unfolded.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** A real SMTP server on 127.0.0.1: takes mail (with a login), or answers 421 while `down`. */
export async function smtpReceiver(auth = { user: "outro", pass: "s3cret" }) {
  const mails: ReceivedMail[] = [];
  const state = { down: false, attempts: 0 };
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
      else cb(new Error("Invalid username or password"));
    },
    onMailFrom(_address, _session, cb) {
      state.attempts++;
      if (!state.down) return cb();
      const err = new Error("Service not available, try again later") as Error & { responseCode: number };
      err.responseCode = 421;
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: readable(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    mails,
    state,
    port,
    url: `smtp://${auth.user}:${auth.pass}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A real HTTP server collecting webhook posts. */
export function webhookReceiver() {
  const posts: { headers: Headers; body: any }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      posts.push({ headers: req.headers, body: await req.json() });
      return new Response("ok");
    },
  });
  return { posts, url: `http://127.0.0.1:${server.port}/hook`, close: () => server.stop(true) };
}
