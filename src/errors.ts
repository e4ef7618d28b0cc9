/** Domain errors: the error plugin maps each to its status, as HTML for pages and JSON for /api. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = "Not found") => new AppError(404, "not_found", what);
export const conflict = (message: string, fields?: Record<string, string>) => new AppError(409, "conflict", message, fields);
export const invalid = (message: string, fields?: Record<string, string>) => new AppError(422, "invalid", message, fields);
