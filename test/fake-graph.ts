import { eventually } from "./helpers";
// A stand-in for Meta's Graph API: a real HTTP server on 127.0.0.1 that records every
// Conversions API request and answers the way it is told to, globally or per pixel.

/** How the fake answers a request. */
export type GraphBehaviour =
  | { kind: "success" }
  /** Any status with an optional raw body (e.g. 500, 502 with an HTML page). */
  | { kind: "http"; status: number; body?: string }
  /** Holds the answer longer than the client's timeout, then answers 504. */
  | { kind: "timeout"; ms?: number }
  /** Meta's throttling: code 4, 17, 32, 613, 80004 … with is_transient. */
  | { kind: "throttle"; code?: number; subcode?: number; status?: number }
  /** A token or permission error: OAuthException 190 by default. */
  | { kind: "auth"; code?: number; subcode?: number; status?: number }
  /** Invalid parameter (code 100) for any request holding one of these event ids; others succeed. */
  | { kind: "invalid"; eventIds: string[]; subcode?: number }
  /** Any Graph error body with the given status. */
  | { kind: "error"; status: number; error: Record<string, unknown> }
  /** Flapping: one behaviour per request, in order; the last one repeats (or the list cycles). */
  | { kind: "sequence"; steps: GraphBehaviour[]; cycle?: boolean };

export interface GraphRequest {
  path: string;
  pixelId: string;
  apiVersion: string;
  body: { data: Record<string, any>[]; access_token?: string; test_event_code?: string; [k: string]: unknown };
  /** The status the fake answered, or "timeout" when it held the answer past the client's patience. */
  answer: number | "timeout";
  at: number;
}

export interface FakeGraph {
  url: string;
  requests: GraphRequest[];
  /** Sets the behaviour for one pixel, or for every pixel without its own. */
  set(behaviour: GraphBehaviour, pixelId?: string): void;
  /** Event ids of requests answered 2xx, with how many times each was delivered. */
  delivered(): Map<string, number>;
  /** Forgets recorded requests (behaviours stay). */
  clear(): void;
  stop(): Promise<void>;
}

let trace = 0;
const fbtrace = () => `AFakeTrace${(++trace).toString(36)}`;

function graphError(status: number, error: Record<string, unknown>) {
  return new Response(JSON.stringify({ error: { fbtrace_id: fbtrace(), ...error } }), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8" },
  });
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const behaviours = new Map<string, GraphBehaviour>([["*", { kind: "success" }]]);
  const positions = new Map<GraphBehaviour, number>();
  const requests: GraphRequest[] = [];
  const sleepers = new Set<() => void>();

  /** A sequence advances one step per request; other behaviours are themselves. */
  function resolve(b: GraphBehaviour): Exclude<GraphBehaviour, { kind: "sequence" }> {
    if (b.kind !== "sequence") return b;
    const i = positions.get(b) ?? 0;
    positions.set(b, i + 1);
    const step = b.cycle ? b.steps[i % b.steps.length]! : b.steps[Math.min(i, b.steps.length - 1)]!;
    return resolve(step);
  }

  async function answer(b: Exclude<GraphBehaviour, { kind: "sequence" }>, rec: GraphRequest): Promise<Response> {
    const n = rec.body.data?.length ?? 0;
    switch (b.kind) {
      case "success":
        return Response.json({ events_received: n, messages: [], fbtrace_id: fbtrace() });
      case "http":
        return new Response(b.body ?? `<html><body>${b.status}</body></html>`, { status: b.status, headers: { "content-type": "text/html" } });
      case "timeout":
        await new Promise<void>((done) => {
          const wake = () => { sleepers.delete(wake); clearTimeout(t); done(); };
          const t = setTimeout(wake, b.ms ?? 5000);
          sleepers.add(wake);
        });
        return new Response("gateway timeout", { status: 504 });
      case "throttle": {
        const code = b.code ?? 17;
        return graphError(b.status ?? 400, {
          message: code === 4 ? "(#4) Application request limit reached" : code === 17 ? "(#17) User request limit reached" : `(#${code}) There have been too many calls. Please wait a bit and try again.`,
          type: "OAuthException", code, ...(b.subcode ? { error_subcode: b.subcode } : {}), is_transient: true,
        });
      }
      case "auth": {
        const code = b.code ?? 190;
        // Graph answers most OAuthExceptions with a plain 400: the code, not the status, tells them apart.
        return graphError(b.status ?? 400, {
          message: code === 190 ? "Error validating access token: Session has expired." : `(#${code}) Permission denied`,
          type: "OAuthException", code, ...(b.subcode ? { error_subcode: b.subcode } : {}), is_transient: false,
        });
      }
      case "invalid": {
        const bad = rec.body.data?.find((e) => b.eventIds.includes(e.event_id));
        if (!bad) return answer({ kind: "success" }, rec);
        return graphError(400, {
          message: "Invalid parameter", type: "OAuthException", code: 100, error_subcode: b.subcode ?? 2804019, is_transient: false,
          error_user_title: "Invalid Parameter",
          error_user_msg: `The parameter user_data of event ${bad.event_id} is invalid.`,
        });
      }
      case "error":
        return graphError(b.status, b.error);
    }
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const m = /^\/(v\d+\.\d+)\/([^/]+)\/events$/.exec(path);
      if (!m || req.method !== "POST") return graphError(400, { message: "Unknown path components", type: "OAuthException", code: 2500 });
      let body: GraphRequest["body"];
      try {
        body = JSON.parse(await req.text());
      } catch {
        return graphError(400, { message: "Invalid JSON", type: "OAuthException", code: 100 });
      }
      const rec: GraphRequest = { path, apiVersion: m[1]!, pixelId: decodeURIComponent(m[2]!), body, answer: 0, at: Date.now() };
      requests.push(rec);
      const behaviour = resolve(behaviours.get(rec.pixelId) ?? behaviours.get("*")!);
      const res = await answer(behaviour, rec);
      rec.answer = behaviour.kind === "timeout" ? "timeout" : res.status;
      return res;
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    set(behaviour, pixelId = "*") {
      behaviours.set(pixelId, behaviour);
    },
    delivered() {
      const out = new Map<string, number>();
      for (const r of requests) {
        if (typeof r.answer !== "number" || r.answer < 200 || r.answer >= 300) continue;
        for (const e of r.body.data ?? []) out.set(e.event_id, (out.get(e.event_id) ?? 0) + 1);
      }
      return out;
    },
    clear() {
      requests.length = 0;
    },
    async stop() {
      for (const wake of [...sleepers]) wake();
      await server.stop(true);
    },
  };
}

/** The one event the fake Graph API received with this event id (waits for it; fails on none or several). */
export async function deliveredOnce(graph: FakeGraph, eventId: string, ms = 5000) {
  return eventually(() => {
    const found = graph.requests.flatMap((r) => r.body.data).filter((e) => e.event_id === eventId);
    if (found.length !== 1) throw new Error(`event ${eventId} received ${found.length} times`);
    return found[0]!;
  }, ms);
}
