/**
 * Worker entry points, resolved from this file's folder (src/). From source that is src/; in the
 * single executable every module shares the entry's URL, and `bun build --compile` stores the
 * worker entry points relative to src/ as well — so one relative path works in both.
 */
export function workerUrl(pathFromSrc: string): string {
  return new URL(`./${pathFromSrc}`, import.meta.url).href;
}
