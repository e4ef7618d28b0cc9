import nodemailer from "nodemailer";
import type { DueMail } from "./queue-repo";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** What the release mailer needs of SMTP: send one message, or throw. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

const esc = (s: string) => Bun.escapeHTML(s);

/** The release-day note: what is out, where to listen, and the fan's own unsubscribe link. */
export function releaseMail(m: DueMail, publicUrl: string | undefined): MailMessage {
  const base = publicUrl ?? m.baseUrl;
  const page = `${base}/${m.slug}`;
  const unsubscribe = `${base}/u/${m.unsubscribeToken}`;
  const what = m.artist ? `“${m.title}” by ${m.artist}` : `“${m.title}”`;
  const hello = m.name ? `Hi ${m.name},` : "Hi,";
  const art = m.artworkUrl ? (m.artworkUrl.startsWith("/") ? `${base}${m.artworkUrl}` : m.artworkUrl) : null;
  return {
    to: m.email,
    subject: `${what} is out now`.replace(/[\r\n]+/g, " "),
    text: `${hello}\n\n${what} is out now. Listen on your favourite service:\n${page}\n\nYou asked for this note on the release page.\nUnsubscribe: ${unsubscribe}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif;max-width:520px;margin:auto">
<p>${esc(hello)}</p>
${art ? `<p><img src="${esc(art)}" alt="" width="260" height="260" style="border-radius:8px"></p>` : ""}
<p><strong>${esc(what)}</strong> is out now.</p>
<p><a href="${esc(page)}">Listen on your favourite service</a></p>
<p style="color:#666;font-size:12px">You asked for this note on the release page. <a href="${esc(unsubscribe)}">Unsubscribe</a></p>
</body></html>`,
    // One-click unsubscribe (RFC 8058): POST /u/{token} unsubscribes, as mail clients send it.
    headers: { "List-Unsubscribe": `<${unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

/** SMTP through nodemailer, from SMTP_URL; timeouts keep a dead server from holding the queue. */
export function smtpTransport(url: string, from: string): MailTransport {
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close: () => transport.close(),
  };
}

/**
 * An SMTP answer that will not change on a retry: the server refused the address itself (5xx
 * to RCPT). Everything else — refused connections, timeouts, 4xx, a 5xx elsewhere (say a wrong
 * password, which the admin can fix) — is retried.
 */
export function isPermanentRejection(err: unknown): boolean {
  const e = err as { responseCode?: number; command?: string; code?: string };
  return typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600 && (e.command === "RCPT TO" || e.code === "EENVELOPE");
}
