// A Graph API stand-in that accepts every Conversions API request at once (for benchmarks).
let requests = 0;
let events = 0;
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  async fetch(req) {
    if (new URL(req.url).pathname === "/stats") return Response.json({ requests, events });
    const body = await req.text();
    // Counting event ids is enough here; parsing 1000-event bodies would make the stand-in the bottleneck.
    const n = body.split('"event_id"').length - 1;
    requests++;
    events += n;
    return Response.json({ events_received: n, messages: [], fbtrace_id: "bench" });
  },
});
console.log(`graph stand-in listening on http://127.0.0.1:${server.port}`);
export {};
