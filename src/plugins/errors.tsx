import { Elysia } from "elysia";
import { AppError } from "../errors";
import { SECURITY_HEADERS } from "./security";
import { log, requestId } from "../log";
import { MessagePage, NotFoundPage } from "../../views/pages/not-found";

type Fields = Record<string, string>;

function validationFields(error: unknown): Fields {
  const fields: Fields = {};
  const all = (error as { all?: { path?: string; message?: string; summary?: string }[] }).all ?? [];
  for (const e of all) {
    const path = (e.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "body";
    fields[path] ??= e.message ?? e.summary ?? "is not valid";
  }
  return fields;
}

const isApi = (request: Request) => new URL(request.url).pathname.startsWith("/api/");

const json = (status: number, code: string, message: string, fields?: Fields, reqId?: string) =>
  new Response(JSON.stringify({ error: { code, message, ...(fields && Object.keys(fields).length ? { fields } : {}), ...(reqId ? { requestId: reqId } : {}) } }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...(reqId ? { "x-request-id": reqId } : {}) },
  });

/**
 * The one place errors become responses: JSON for /api, an HTML page elsewhere. Unknown errors
 * are logged and answered with a generic message, never their text (it may hold SQL or paths).
 */
export function mapError({ code, error, request, set }: { code: string | number; error: unknown; request: Request; set: { status?: number | string; headers: Record<string, string | number> } }) {
  const api = isApi(request);
  let status = 500;
  let errCode = "internal";
  let message = "Something went wrong on our side.";
  let fields: Fields | undefined;
  let reqId: string | undefined;

  // A domain error thrown while parsing (the body size check) arrives wrapped in Elysia's ParseError.
  const domain = error instanceof AppError ? error : (error as { cause?: unknown })?.cause instanceof AppError ? ((error as { cause: AppError }).cause) : null;
  if (domain) {
    ({ status, message } = domain);
    errCode = domain.code;
    fields = domain.fields;
  } else if (code === "VALIDATION") {
    status = 422;
    errCode = "invalid";
    message = "Some fields are not valid.";
    fields = validationFields(error);
  } else if (code === "NOT_FOUND") {
    status = 404;
    errCode = "not_found";
    message = "Not found.";
  } else if (code === "PARSE") {
    status = 400;
    errCode = "bad_request";
    message = "The request body could not be read (malformed JSON or form).";
  } else if (code === "INVALID_COOKIE_SIGNATURE") {
    status = 400;
    errCode = "bad_cookie";
    message = "A cookie was tampered with.";
  } else {
    // The id goes in the log line and the answer, so a user's report leads to the line.
    reqId = requestId(request);
    log.error({ reqId, method: request.method, path: new URL(request.url).pathname, code, err: error }, "unhandled error");
  }

  if (api) return json(status, errCode, message, fields, reqId);
  if (reqId) set.headers["x-request-id"] = reqId;
  set.status = status;
  set.headers["content-type"] = "text/html; charset=utf-8";
  set.headers["cache-control"] = "no-store";
  Object.assign(set.headers, SECURITY_HEADERS);
  if (status === 404) return <NotFoundPage />;
  return <MessagePage status={status} heading={status >= 500 ? "Something went wrong" : "That did not work"} text={message} />;
}

export const errorHandler = new Elysia({ name: "errors" }).onError({ as: "global" }, mapError);
