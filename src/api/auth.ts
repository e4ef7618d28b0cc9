import { Elysia } from "elysia";
import { AppError } from "../errors";
import { sameSecret, type TokenRepo } from "./tokens";

/** Macro plugin: routes with `{ apiAuth: true }` need `Authorization: Bearer <API_TOKEN or a token made in the admin>`. */
export const apiAuth = (envToken: string | undefined, tokens: TokenRepo, clock: () => number) =>
  new Elysia({ name: "api-auth" }).macro({
    apiAuth: {
      beforeHandle({ headers, set }) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
        const token = match?.[1];
        const ok = !!token && ((envToken !== undefined && sameSecret(token, envToken)) || tokens.verify(token, clock()));
        if (!ok) {
          set.headers["www-authenticate"] = 'Bearer realm="outro"';
          throw new AppError(401, "unauthorized", token ? "The bearer token is not valid." : "Send Authorization: Bearer <token>.");
        }
      },
    },
  });
