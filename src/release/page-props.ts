import { button, releaseMeta, visibleDestinations, type Visibility } from "../links/page-props";
import type { Link } from "../links/model";
import type { PreReleaseProps } from "../../views/pages/pre-release";
import { COUNTDOWN_JS_URL } from "../assets/routes";
import { releaseMomentText } from "./moment";

/** What the countdown page shows of an upcoming release; per-view parts come in as template tokens. */
export function preReleaseProps(link: Link, base: string, carry: string, safeTimeLeft: string, visibility: Visibility = {}): Omit<PreReleaseProps, "safeScripts" | "safeSignup"> {
  const momentText = releaseMomentText(link.releaseAt!, link.releaseTimeZone!);
  return {
    meta: releaseMeta(link, base, () => `Out ${momentText}. Pre-save it and get a note on release day.`),
    title: link.title,
    artist: link.artist,
    artworkUrl: link.artworkUrl,
    momentText,
    releaseIso: new Date(link.releaseAt!).toISOString(),
    safeTimeLeft,
    presaves: visibleDestinations(link.presaves, visibility).map((d) => ({ ...button(link.slug, d, carry), action: "Pre-save" })),
    countdownScriptUrl: COUNTDOWN_JS_URL,
  };
}
