export interface TrackingConfig {
  slug: string;
  pixels: string[];
  event: string;
  standard: boolean;
  signupEvent: string;
  signupStandard: boolean;
  name: string;
  consent: "none" | "opt-in";
  ldu: boolean;
  /** The page view's event id, equal to the server's PageView event_id. */
  view: string;
}

/** JSON inside a script element: "<" is escaped so no text can close the element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

export const TrackingScripts = ({ config, nonce, scriptUrl }: { config: TrackingConfig; nonce: string; scriptUrl: string }) => {
  const safeJson = scriptJson(config);
  return (
    <>
      <script type="application/json" id="outro-cfg">{safeJson}</script>
      <script src={scriptUrl} nonce={nonce} defer></script>
    </>
  );
};
