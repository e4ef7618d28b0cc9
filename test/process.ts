import type { Subprocess } from "bun";
import { BUN, ROOT } from "./helpers";

export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  output: () => string;
}

/** Starts `cmd` (default: the server from source) and waits for its "listening on" line. */
export async function spawnServer(env: Record<string, string>, cmd: string[] = [BUN, "src/index.ts"], cwd = ROOT): Promise<Child> {
  const proc = Bun.spawn(cmd, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 15_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (!chunk || chunk.done) throw new Error(`server did not start: ${out} ${await new Response(proc.stderr).text()}`);
    out += decoder.decode(chunk.value);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) {
      const c = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (c.done) break;
      out += decoder.decode(c.value);
    }
  })();
  const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  return { proc, base, output: () => out };
}
