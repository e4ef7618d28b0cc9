/**
 * A rendered page split at placeholder tokens, so a view costs a few string joins instead of a
 * JSX render. Tokens must survive HTML escaping unchanged (letters and underscores only).
 */
export interface Template {
  parts: string[];
  slots: string[];
}

export function compileTemplate(html: string, tokens: readonly string[]): Template {
  const pattern = new RegExp(tokens.map((t) => t.replace(/[^A-Za-z0-9_]/g, "")).join("|"), "g");
  const parts: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const m of html.matchAll(pattern)) {
    parts.push(html.slice(last, m.index));
    slots.push(m[0]);
    last = m.index! + m[0].length;
  }
  parts.push(html.slice(last));
  return { parts, slots };
}

/** Fills the template; values are inserted as given, so callers pass HTML-escaped text. */
export function fillTemplate(t: Template, values: Record<string, string>): string {
  let out = t.parts[0]!;
  for (let i = 0; i < t.slots.length; i++) out += values[t.slots[i]!]! + t.parts[i + 1]!;
  return out;
}
