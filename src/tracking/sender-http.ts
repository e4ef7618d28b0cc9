import type { Answer } from "./classify";

export interface CapiEndpoint {
  graphUrl: string;
  apiVersion: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header) * 1000, 3_600_000);
}

/** The request body: the stored payloads are already JSON, and joining their text costs far less than parsing and re-serialising. */
export function capiBody(payloads: readonly { payload: string }[], token: string, testEventCode: string | null): string {
  let body = '{"data":[';
  for (let i = 0; i < payloads.length; i++) body += i === 0 ? payloads[i]!.payload : `,${payloads[i]!.payload}`;
  return `${body}],"access_token":${JSON.stringify(token)}${testEventCode ? `,"test_event_code":${JSON.stringify(testEventCode)}` : ""}}`;
}

/** POST {graph}/{version}/{pixel}/events; a timeout or a network error is an answer too. */
export async function postEvents(endpoint: CapiEndpoint, pixelId: string, body: string): Promise<Answer> {
  const { graphUrl, apiVersion, timeoutMs } = endpoint;
  try {
    const res = await endpoint.fetch(`${graphUrl}/${apiVersion}/${encodeURIComponent(pixelId)}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, text, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
  } catch (err) {
    const e = err as Error;
    if (e?.name === "TimeoutError" || e?.name === "AbortError") return { failure: "timeout", message: `timeout: no answer within ${timeoutMs} ms` };
    return { failure: "network", message: `network error: ${e?.message ?? String(err)}` };
  }
}
