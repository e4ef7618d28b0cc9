// Runs the whole bun:test suite and ends with one plain summary line that CI log readers look for.
const proc = Bun.spawn([process.execPath, "test", ...process.argv.slice(2)], { stdout: "inherit", stderr: "pipe", stdin: "inherit" });
let tail = "";
const decoder = new TextDecoder();
for await (const chunk of proc.stderr) {
  const text = decoder.decode(chunk);
  process.stderr.write(text);
  tail = (tail + text).slice(-4000);
}
const code = await proc.exited;
// bun's summary lines are " N pass" and " N fail" alone on their lines; test names may contain "5 failures".
const pass = Number(/^\s*(\d+) pass$/m.exec(tail)?.[1] ?? 0);
const fail = Number(/^\s*(\d+) fail$/m.exec(tail)?.[1] ?? 0);
console.log(`${pass} passed, ${fail} failed`);
process.exit(code);
