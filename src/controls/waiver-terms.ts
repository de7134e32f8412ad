import { fetched, unavailable, type Fetched } from "../facts/fetched.js";
import type { ForcePush } from "../facts/pull-request.js";

// A waiver covers the head commit it was approved on, until its expiry. GitHub does not say which commit a PR comment
// was posted on (commits carry forgeable git dates; `pushedDate` is gone), so the head a waiver belongs to is
// established from state GitHub keeps and the PR's author cannot write:
// - sdlc-guard's own check run on the head: GitHub sets its `startedAt` when the app created it, i.e. when the app first
//   evaluated that commit (it evaluates every push of a PR);
// - the PR timeline's latest force push (HEAD_REF_FORCE_PUSHED_EVENT, with GitHub's time): an ordinary push only moves the
//   head forward, so only a force push can bring an earlier commit back as the head.
// A comment posted at or after the time the current head became the head was posted on that head.

/** Zero-width, format, control, unassigned and private-use characters, and blanks that render as nothing. */
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Cn}\p{Co}\p{Cs}\u115F\u1160\u3164\uFFA0\u2800]/gu;
const SEGMENTER = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Text segmented at once: V8 copies the whole input into every segment it yields, so a long text is cut in pieces. */
const SEGMENT_PIECE = 256;

/**
 * Characters a reader sees (graphemes): invisible characters do not count, a run of spaces counts as one. A comment
 * as long as GitHub allows (65,536 characters) is counted in pieces of {@link SEGMENT_PIECE} code points (segmenting it
 * whole takes memory quadratic in its length: gigabytes); a grapheme across two pieces may count twice.
 */
export function visibleLength(text: string): number {
  const visible = text
    .replace(INVISIBLE, "")
    .replace(/[\s\p{Z}]+/gu, " ")
    .trim();
  const codePoints = Array.from(visible);
  let count = 0;
  for (let i = 0; i < codePoints.length; i += SEGMENT_PIECE) {
    count += Array.from(SEGMENTER.segment(codePoints.slice(i, i + SEGMENT_PIECE).join(""))).length;
  }
  return count;
}

/**
 * Since when the current head has been the PR's head, or why that cannot be established (then no waiver applies).
 * `run`: our check run on the head (`null`: none yet, so the app sees the head for the first time `now`; `undefined`:
 * GitHub could not say).
 */
export function headSinceOf(
  headSha: string,
  run: { startedAt?: string | null } | null | undefined,
  forcePushes: Fetched<ForcePush[]> | undefined,
  sharedHeadWith: readonly number[],
  now: string,
): Fetched<string> {
  const head = `\`${headSha.slice(0, 7)}\``;
  if (run === undefined) return unavailable(`GitHub did not say whether sdlc-guard has evaluated the head commit ${head} before`);
  if (run === null) return fetched(now);
  if (!run.startedAt) return unavailable(`GitHub did not say when sdlc-guard first evaluated the head commit ${head}`);
  // Another PR's evaluation may have created the run before this PR's head moved to the commit.
  if (sharedHeadWith.length)
    return unavailable(`the head commit ${head} is also the head of ${sharedHeadWith.map((n) => `#${n}`).join(", ")}`);
  if (!forcePushes?.ok)
    return unavailable(`the force pushes of the head branch could not be read${forcePushes ? `: ${forcePushes.error}` : ""}`);
  const last = forcePushes.value.at(-1);
  if (!last || last.at <= run.startedAt) return fetched(run.startedAt);
  if (last.afterSha === headSha) return fetched(last.at);
  return unavailable(`the head branch was force-pushed after sdlc-guard first saw ${head}, which is the head again`);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a waiver granted at `at` for `days` days ends (ISO time). */
export const expiryOf = (at: string, days: number): string => new Date(Date.parse(at) + days * DAY_MS).toISOString().replace(".000Z", "Z");
