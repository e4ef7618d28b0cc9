import type { Database } from "bun:sqlite";
import { writeTransaction } from "../db/open";
import type { TourDate } from "../links/model";

export type { TourDate };

/** What only the bio hub editor keeps: tour dates and the email signup switch. */
export function bioRepo(db: Database) {
  const tours = db.query<TourDate, { linkId: number }>(
    "SELECT date, city, venue, ticket_url AS ticketUrl FROM tour_dates WHERE link_id = $linkId ORDER BY date, id");
  const clearTours = db.query<null, { linkId: number }>("DELETE FROM tour_dates WHERE link_id = $linkId");
  const insertTour = db.query<null, { linkId: number; date: string; city: string; venue: string; ticketUrl: string | null }>(
    "INSERT INTO tour_dates (link_id, date, city, venue, ticket_url) VALUES ($linkId, $date, $city, $venue, $ticketUrl)");
  const signup = db.query<{ on: number }, { linkId: number }>("SELECT email_signup AS \"on\" FROM link_options WHERE link_id = $linkId");
  const setSignup = db.query<null, { linkId: number; on: number }>(
    "INSERT INTO link_options (link_id, email_signup) VALUES ($linkId, $on) ON CONFLICT (link_id) DO UPDATE SET email_signup = excluded.email_signup");
  return {
    tours: (linkId: number) => tours.all({ linkId }),
    /** Replaces the whole list, like destinations. */
    saveTours: writeTransaction(db, (linkId: number, list: TourDate[]) => {
      clearTours.run({ linkId });
      for (const t of list) insertTour.run({ linkId, ...t });
    }),
    emailSignup: (linkId: number) => signup.get({ linkId })?.on === 1,
    setEmailSignup: (linkId: number, on: boolean) => setSignup.run({ linkId, on: on ? 1 : 0 }),
  };
}
export type BioRepo = ReturnType<typeof bioRepo>;
