// The baseline: a bare Bun.serve answering 302, the fastest a click-out could possibly be here.
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  fetch: () => new Response(null, { status: 302, headers: { location: "https://open.spotify.com/track/abc" } }),
});
console.log(`baseline listening on http://127.0.0.1:${server.port}`);
export {};
