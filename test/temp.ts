import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Every dir made by tempDir(); KEEP=1 keeps them for a look. */
const made = new Set<string>();

/** Removes the dirs made so far: after the whole test run (test/preload.ts), or when a bench script exits. */
export function removeTempDirs(): void {
  if (process.env.KEEP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
// `bun test` fires no "exit" event; scripts (the benches) do.
process.on("exit", removeTempDirs);

/** A new directory under the system's temp dir, removed at the end of the run. */
export function tempDir(prefix = "outro-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}
