import type { PropsWithChildren } from "@kitajs/html";
import { Layout } from "../layout";

type MessageProps = PropsWithChildren<{ status: number; heading: string; text: string; action?: { href: string; label: string } }>;

export const MessagePage = ({ status, heading, text, action, children }: MessageProps) => (
  <Layout meta={{ title: `${heading} · Outro`, description: text }} bodyClass="message">
    <main class="card">
      {status !== 200 ? <p class="status" aria-hidden="true">{status}</p> : ""}
      <h1 safe>{heading}</h1>
      <p safe>{text}</p>
      {action ? <p><a class="dest plain" href={action.href} safe>{action.label}</a></p> : ""}
      {children}
    </main>
  </Layout>
);

export const NotFoundPage = () => (
  <MessagePage status={404} heading="Nothing here" text="This link does not exist, or is not published yet. Check the address and try again." />
);
