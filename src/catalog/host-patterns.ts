import type { CatalogEntry } from "./model";

interface Rule {
  entry: CatalogEntry;
  /** Lower-case path prefix such as "/music"; absent when any path will do. */
  path?: string;
}

const stripWww = (host: string) => (host.startsWith("www.") ? host.slice(4) : host);

function pathMatches(rule: Rule, pathname: string): boolean {
  return !rule.path || pathname === rule.path || pathname.startsWith(`${rule.path}/`);
}

/**
 * Indexes the entries' host patterns by host once, so a lookup costs a few Map reads per label
 * of the pasted host instead of a scan over every pattern of every entry.
 */
export function hostMatcher(entries: readonly CatalogEntry[]): (url: string) => CatalogEntry | undefined {
  // Keys are "host" for exact patterns and "*.suffix" for subdomain wildcards.
  const rules = new Map<string, Rule[]>();
  for (const entry of entries) {
    for (const pattern of entry.hosts) {
      const slash = pattern.indexOf("/");
      const host = stripWww((slash < 0 ? pattern : pattern.slice(0, slash)).toLowerCase());
      const path = slash < 0 ? undefined : pattern.slice(slash).toLowerCase().replace(/\/+$/, "");
      const list = rules.get(host) ?? [];
      list.push(path ? { entry, path } : { entry });
      rules.set(host, list);
    }
  }
  // A path rule is the more specific claim on a host, so it is tried first.
  for (const list of rules.values()) list.sort((a, b) => Number(!a.path) - Number(!b.path));

  const match = (key: string, pathname: string) => rules.get(key)?.find((rule) => pathMatches(rule, pathname))?.entry;

  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url.trim());
    } catch {
      return undefined;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    // URL has already lower-cased and punycoded the host; a trailing dot names the same host.
    const host = stripWww(parsed.hostname.replace(/\.$/, ""));
    const pathname = parsed.pathname.toLowerCase();
    const exact = match(host, pathname);
    if (exact) return exact;
    // Walk up from the most specific parent: "a.b.example.com" tries "*.b.example.com" first.
    const labels = host.split(".");
    for (let i = 1; i < labels.length - 1; i++) {
      const found = match(`*.${labels.slice(i).join(".")}`, pathname);
      if (found) return found;
    }
    return undefined;
  };
}
