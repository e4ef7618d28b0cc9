import { Elysia } from "elysia";
import type { FanService } from "./service";
import { MessagePage } from "../../views/pages/not-found";
import { SECURITY_HEADERS } from "../plugins/security";
import { mapError } from "../plugins/errors";

const HEADERS = { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-robots-tag": "noindex" };

/**
 * GET /u/{token} asks, POST /u/{token} unsubscribes: a link scanner opening the mail's link must
 * not unsubscribe anyone.
 */
export const unsubscribeRoutes = (fans: FanService) =>
  new Elysia({ name: "unsubscribe" })
    .onError(mapError)
    .get("/u/:token", ({ params, set }) => {
      Object.assign(set.headers, HEADERS);
      const known = /^[A-Za-z0-9_-]{10,64}$/.test(params.token) && fans.repo.byToken(params.token);
      if (!known) {
        set.status = 404;
        return <MessagePage status={404} heading="Link not found" text="This unsubscribe link is not valid, or the address was already removed." />;
      }
      return (
        <MessagePage status={200} heading="Unsubscribe?" text="Stop getting emails from this artist.">
          <form method="post" action={`/u/${params.token}`}><button class="dest plain" type="submit">Unsubscribe</button></form>
        </MessagePage>
      );
    })
    .post("/u/:token", ({ params, set }) => {
      Object.assign(set.headers, HEADERS);
      const result = fans.unsubscribe(params.token);
      if (result === "unknown") {
        set.status = 404;
        return <MessagePage status={404} heading="Link not found" text="This unsubscribe link is not valid, or the address was already removed." />;
      }
      return <MessagePage status={200} heading="You're unsubscribed" text="You will not get any more emails from this list." />;
    });
