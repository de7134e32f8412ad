/** The fields of a check-run write that say what the run shows: its state, conclusion and output. */
export interface CheckRunFields {
  status: "completed" | "in_progress";
  conclusion?: string;
  output: { title: string; summary: string };
}

/** Our run as the evaluation's query read it (GraphQL spells status and conclusion in capitals). */
export interface ReadRun {
  status?: string;
  conclusion?: string | null;
  title?: string | null;
  summary?: string | null;
}

/** `Date.toISOString()`: the only way the app writes an evaluation time into a summary. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_LENGTH = "2026-01-01T00:00:00.000Z".length;

/**
 * Whether writing `fields` would leave the run showing what it already shows: same (completed) state, conclusion,
 * title and summary, where the summary may differ only in the evaluation time (`evaluatedAt`, written as an ISO
 * instant). A run that is not completed, or that was not read whole, is never "unchanged": it is written.
 */
export function isUnchangedRun(fields: CheckRunFields, run: ReadRun | null | undefined, evaluatedAt: string): boolean {
  if (!run || run.status?.toLowerCase() !== "completed" || fields.status !== "completed") return false;
  if (run.conclusion == null || run.title == null || run.summary == null) return false;
  if (run.conclusion.toLowerCase() !== fields.conclusion || run.title !== fields.output.title) return false;
  return sameExceptTimes(fields.output.summary, run.summary, evaluatedAt);
}

/** `fresh` equals `previous` once each occurrence of `evaluatedAt` in `fresh` is allowed to be another ISO instant there. */
export function sameExceptTimes(fresh: string, previous: string, evaluatedAt: string): boolean {
  if (fresh.length !== previous.length) return false;
  if (evaluatedAt.length !== ISO_LENGTH || !ISO_INSTANT.test(evaluatedAt)) return fresh === previous;
  let from = 0;
  for (let at = fresh.indexOf(evaluatedAt); at !== -1; at = fresh.indexOf(evaluatedAt, from)) {
    if (fresh.slice(from, at) !== previous.slice(from, at)) return false;
    if (!ISO_INSTANT.test(previous.slice(at, at + ISO_LENGTH))) return false;
    from = at + ISO_LENGTH;
  }
  return fresh.slice(from) === previous.slice(from);
}
