import { z } from "zod";
import { sha256 } from "../api/tokens";

// Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Real validation is the confirmation a mailing tool sends.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

/** Trimmed and lowercased, as Meta normalises `em` — and so the same address is one fan. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) && !email.includes("..") ? email : null;
}

/** Meta's `em`: SHA-256 of the normalised address, lowercase hex. */
export const metaEmailHash = (email: string) => sha256(email.trim().toLowerCase());

export const DEFAULT_CONSENT_TEXT = "Yes, email me about new music and shows. I can unsubscribe at any time.";

export const SignupForm = z.object({
  email: z.string().max(320).default(""),
  name: z.string().max(200).default(""),
  consent: z.string().max(10).default(""),
  /** The honeypot: people never see it, bots fill it in. */
  website: z.string().max(500).default(""),
  /** When the form was rendered, signed: too fast means a bot. */
  t: z.string().max(200).default(""),
});
export type SignupForm = z.infer<typeof SignupForm>;

export interface Fan {
  id: number;
  email: string;
  name: string | null;
  createdAt: number;
  updatedAt: number;
  unsubscribedAt: number | null;
  unsubscribeToken: string;
  links: string | null;
}
