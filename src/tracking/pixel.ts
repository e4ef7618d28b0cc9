import { STANDARD_EVENTS } from "../links/model";
import type { Link } from "../links/model";
import type { Settings } from "../settings/service";

/** What tracking does for one link: which pixels fire, which click-out event, under which rules. */
export interface PixelPlan {
  pixelIds: string[];
  clickEventName: string;
  /** Standard events go through track/trackSingle; other names through trackCustom/trackSingleCustom. */
  standard: boolean;
  /** The event a fan signup fires (CompleteRegistration by default). */
  signupEventName: string;
  consentMode: Settings["consentMode"];
  limitedDataUse: boolean;
}

export const isStandardEvent = (name: string) => (STANDARD_EVENTS as readonly string[]).includes(name);

export function pixelPlan(link: Link, settings: Settings): PixelPlan | null {
  const main = link.pixelId ?? settings.pixelId;
  const pixelIds = [...new Set([main, link.extraPixelId].filter((p): p is string => !!p))];
  if (pixelIds.length === 0) return null;
  const clickEventName = link.clickEventName ?? settings.clickEventName;
  return {
    pixelIds,
    clickEventName,
    standard: isStandardEvent(clickEventName),
    signupEventName: settings.signupEventName,
    consentMode: settings.consentMode,
    limitedDataUse: settings.limitedDataUse,
  };
}
