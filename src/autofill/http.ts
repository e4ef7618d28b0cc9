import { CatalogueFailure, type RateLimiter } from "./limiter";

export interface CatalogueHttp {
  /**
   * GET base + path with the query params, as JSON. `null` means "not found" (404 and the other
   * 4xx a catalogue uses for an unknown id); every other failure throws a CatalogueFailure.
   */
  getJson(path: string, params: Record<string, string>, deadline: number): Promise<unknown | null>;
}

export interface HttpOptions {
  baseUrl: string;
  limiter: RateLimiter;
  /** Per-request timeout; a request also never runs past the lookup's deadline. */
  timeoutMs: number;
  userAgent: string;
  now?: () => number;
}

export function catalogueHttp({ baseUrl, limiter, timeoutMs, userAgent, now = () => performance.now() }: HttpOptions): CatalogueHttp {
  return {
    async getJson(path, params, deadline) {
      await limiter.acquire(deadline - 50);
      const wait = Math.min(timeoutMs, deadline - now());
      if (wait <= 0) throw new CatalogueFailure("timeout", "no time left before the deadline");
      const url = `${baseUrl}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ""}`;
      let res: Response;
      try {
        res = await fetch(url, { headers: { accept: "application/json", "user-agent": userAgent }, signal: AbortSignal.timeout(wait), redirect: "follow" });
      } catch (err) {
        const name = (err as Error)?.name;
        if (name === "TimeoutError" || name === "AbortError") throw new CatalogueFailure("timeout", `no answer within ${Math.round(wait)} ms`);
        throw new CatalogueFailure("unavailable", "could not be reached");
      }
      if (res.status === 429 || res.status === 503) {
        await res.body?.cancel();
        throw new CatalogueFailure(res.status === 429 ? "rate_limited" : "unavailable", `answered HTTP ${res.status}`);
      }
      if (res.status >= 400 && res.status < 500) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new CatalogueFailure("unavailable", `answered HTTP ${res.status}`);
      }
      try {
        return await res.json();
      } catch (err) {
        const name = (err as Error)?.name;
        if (name === "TimeoutError" || name === "AbortError") throw new CatalogueFailure("timeout", `no answer within ${Math.round(wait)} ms`);
        throw new CatalogueFailure("bad_answer", "answered something that is not JSON");
      }
    },
  };
}
