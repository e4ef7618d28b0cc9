import { Layout } from "../layout";

export interface HandoffProps {
  serviceName: string;
  /** The service app's own URL (its scheme), built from the stored URL. */
  appUrl: string;
  /** The stored https URL: where a fan without the app goes. */
  webUrl: string;
  nonce: string;
}

/** JSON for an inline script: no "<" can close the script element. */
const js = (v: string) => JSON.stringify(v).replace(/</g, "\\u003c");

/** An iOS in-app browser's way into the service's app: try its scheme, fall back to the web after 1.5 s. */
export const HandoffPage = ({ serviceName, appUrl, webUrl, nonce }: HandoffProps) => (
  <Layout meta={{ title: `Opening ${serviceName}…`, description: `Opening ${serviceName}` }} bodyClass="message">
    <main class="card">
      <h1 safe>{`Opening ${serviceName}…`}</h1>
      <p><a class="dest plain" href={appUrl} safe>{`Open in the ${serviceName} app`}</a></p>
      <p><a href={webUrl}>Continue in the browser</a></p>
      <script nonce={nonce}>{`location.href=${js(appUrl)};setTimeout(function(){if(document.visibilityState==="visible")location.replace(${js(webUrl)})},1500);`}</script>
    </main>
  </Layout>
);
