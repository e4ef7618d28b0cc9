import { describe, expect, it } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, ConfigError } from "../src/config";
import { BUN, ROOT, tempDir } from "./helpers";

describe("configuration", () => {
  it("has the contract's defaults", () => {
    const dir = tempDir();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c).toMatchObject({
      port: 3000, host: "127.0.0.1", dataDir: dir, trustProxy: false,
      metaGraphUrl: "https://graph.facebook.com", metaApiVersion: "v26.0",
    });
    expect(c.publicUrl).toBeUndefined();
    expect(c.adminPassword).toBeUndefined();
  });

  it("reads every variable", () => {
    const c = loadConfig({
      PORT: "0", HOST: "0.0.0.0", DATA_DIR: tempDir(), PUBLIC_URL: "https://music.example/", ADMIN_PASSWORD: "pw",
      API_TOKEN: "tok", META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB", META_TEST_EVENT_CODE: "TEST1",
      META_GRAPH_URL: "http://127.0.0.1:9/", META_API_VERSION: "v25.0", TRUST_PROXY: "true",
    });
    expect(c).toMatchObject({
      port: 0, host: "0.0.0.0", publicUrl: "https://music.example", adminPassword: "pw", apiToken: "tok",
      metaPixelId: "1234567890", metaAccessToken: "EAAB", metaTestEventCode: "TEST1",
      metaGraphUrl: "http://127.0.0.1:9", metaApiVersion: "v25.0", trustProxy: true,
    });
  });

  it.each([
    ["PORT", "abc"], ["PORT", "70000"], ["PORT", "-1"], ["PORT", ""], ["PUBLIC_URL", "not a url"], ["PUBLIC_URL", "ftp://x.example"],
    ["META_GRAPH_URL", "javascript:alert(1)"], ["TRUST_PROXY", "maybe"], ["META_PIXEL_ID", "abc"], ["META_API_VERSION", "26"],
  ])("rejects %s=%p naming the variable", (name, value) => {
    expect(() => loadConfig({ DATA_DIR: tempDir(), [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it("rejects a DATA_DIR that is not a writable directory", () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    expect(() => loadConfig({ DATA_DIR: file })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: join(file, "sub") })).toThrow(/^DATA_DIR: /);
  });

  it("stops the process with exit code 1 and one line naming the variable", async () => {
    for (const [name, value] of [["PORT", "http"], ["PUBLIC_URL", "::nope"], ["DATA_DIR", "/proc/outro-cannot-write"]]) {
      const proc = Bun.spawnSync([BUN, "src/index.ts"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", DATA_DIR: tempDir(), [name!]: value! } });
      expect(proc.exitCode).toBe(1);
      const lines = proc.stderr.toString().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toStartWith(`outro: ${name}: `);
    }
  });

  it("refuses a read-only DATA_DIR", () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; covered by the /proc case above
    const dir = tempDir();
    chmodSync(dir, 0o500);
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/^DATA_DIR: /);
  });
});
