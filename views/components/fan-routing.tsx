/** "Opening Spotify…" on a returning fan's smart link, with the way out to every service. */
export interface AutoRouteProps {
  /** The click-out the page follows on its own (key of the remembered service's button). */
  destKey: string;
  serviceName: string;
  delayMs: number;
  /** The page's own URL with ?choose=1: every service, no auto-route. */
  chooseHref: string;
  /** Without the page script (no Pixel on this link, or JavaScript off): the click-out URL a meta refresh follows. */
  fallbackHref: string;
  /** True when the page script runs the route (tracked pages): the meta refresh is then only for no-JS. */
  scripted: boolean;
}

export const AutoRoute = ({ destKey, serviceName, delayMs, chooseHref, fallbackHref, scripted }: AutoRouteProps) => {
  const refresh = <meta http-equiv="refresh" content={`${Math.ceil(delayMs / 1000)};url=${fallbackHref}`} />;
  return (
    <div class="autoroute" role="status" data-auto-key={destKey} data-auto-delay={String(delayMs)}>
      <p>Opening <strong safe>{serviceName}</strong>…</p>
      <a class="show-all" href={chooseHref}>Show all services</a>
      {scripted ? <noscript>{refresh}</noscript> : refresh}
    </div>
  );
};

/** In a webview that cannot hand a fan to an app (TikTok's): how to get out of it. */
export const OpenInBrowserHint = ({ appName }: { appName: string }) => (
  <p class="inapp-hint" role="note">
    To listen in your music app, tap <strong>⋯</strong> and choose <strong>Open in browser</strong>
    <span safe>{` (you are in ${appName}'s browser).`}</span>
  </p>
);
