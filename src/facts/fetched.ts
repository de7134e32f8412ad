/** A piece of GitHub (or Jira) state that was read, or the reason it could not be. Controls fail closed on `ok: false`. */
export type Fetched<T> = { ok: true; value: T } | { ok: false; error: string };

export const fetched = <T>(value: T): Fetched<T> => ({ ok: true, value });
export const unavailable = <T>(error: string): Fetched<T> => ({ ok: false, error });
/** What was read, transformed; a read that failed stays failed with its reason. */
export const mapFetched = <T, U>(value: Fetched<T>, map: (v: T) => U): Fetched<U> => (value.ok ? fetched(map(value.value)) : value);
