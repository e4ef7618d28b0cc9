import { detectService } from "../catalog";
import { invalid } from "../errors";
import { isHttpUrl } from "../links/model";

/** What the artist pasted, once recognised: a link on a known streaming service, a UPC/EAN or an ISRC. */
export type AutofillQuery =
  | { kind: "url"; value: string; service: string }
  | { kind: "upc"; value: string }
  | { kind: "isrc"; value: string };

const HINT = "paste a link to the release on a streaming service, a UPC/EAN (12–14 digits) or an ISRC (like GBAYE0601498)";

/** GTIN check digit (UPC-A, EAN-13, GTIN-14): weights 3,1,3,… from the right, the last digit excluded. */
export function gtinCheckDigitOk(code: string): boolean {
  const digits = [...code].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/** ISRC: country (2 letters), registrant (3 letters/digits), year (2 digits), designation (5 digits). */
const ISRC = /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/;

/**
 * Reads one pasted value. Throws a 422 naming `field` (default "query") when it is none of the three,
 * so the API and the admin form can show the reason next to the input.
 */
export function parseAutofillQuery(raw: unknown, field = "query"): AutofillQuery {
  const text = typeof raw === "string" ? raw.trim() : "";
  if (!text) throw invalid("Nothing to look up.", { [field]: `is required: ${HINT}` });
  if (text.length > 2048) throw invalid("The query is too long.", { [field]: "at most 2048 characters" });
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^\d/.test(text)) {
    if (!isHttpUrl(text)) throw invalid("Only http(s) links can be looked up.", { [field]: "must be an http:// or https:// link" });
    const service = detectService(text);
    if (!service || service.kind !== "streaming") {
      throw invalid("That link is not on a streaming service Outro knows.", { [field]: "is not a link to a streaming service (Spotify, Apple Music, Deezer, YouTube Music, TIDAL …)" });
    }
    return { kind: "url", value: text, service: service.id };
  }
  // People paste codes with spaces or dashes ("0 602445 790982", "GB-AYE-06-01498").
  const compact = text.replace(/[\s-]/g, "").toUpperCase();
  if (/^\d+$/.test(compact)) {
    if (compact.length < 12 || compact.length > 14) throw invalid("A UPC/EAN has 12 to 14 digits.", { [field]: `has ${compact.length} digits; a UPC/EAN has 12 to 14` });
    if (!gtinCheckDigitOk(compact)) throw invalid("That UPC/EAN's check digit does not match.", { [field]: "is not a valid UPC/EAN (its last digit does not match the others)" });
    return { kind: "upc", value: compact };
  }
  if (ISRC.test(compact)) return { kind: "isrc", value: compact };
  throw invalid("That is not a link, a UPC or an ISRC.", { [field]: HINT });
}

/** The cache and stored-query key: the same release pasted twice is one entry. */
export const queryKey = (q: AutofillQuery) => `${q.kind}:${q.value}`;
