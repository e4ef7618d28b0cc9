import { Layout } from "../layout";

export const MessagePage = ({ status, heading, text, action }: { status: number; heading: string; text: string; action?: { href: string; label: string } }) => (
  <Layout meta={{ title: `${heading} · Outro`, description: text }} bodyClass="message">
    <main class="card">
      <p class="status" aria-hidden="true">{status}</p>
      <h1 safe>{heading}</h1>
      <p safe>{text}</p>
      {action ? <p><a class="dest plain" href={action.href} safe>{action.label}</a></p> : ""}
    </main>
  </Layout>
);

export const NotFoundPage = () => (
  <MessagePage status={404} heading="Nothing here" text="This link does not exist, or is not published yet. Check the address and try again." />
);
