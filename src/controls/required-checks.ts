import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { CHECK_NAME as OWN_CHECK_NAME } from "../common/product.js";
import { inlineCode } from "../common/markdown.js";
import { countsFor, requiredCheckSpecs } from "./required-check-spec.js";
import { cannotEvaluate, fail, pass, pending, type Finding } from "./finding.js";
import { type HeadCheck, type PullRequestFacts } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

type Verdict = { state: "ok" | "failed"; conclusion: string } | { state: "in progress" | "not reported yet" };

/** Worst first, to break ties between runs of one name started at the same time (fail closed). */
const SEVERITY = { failed: 0, "in progress": 1, "not reported yet": 2, ok: 3 } as const;

/** Milliseconds since the epoch; a run with no start time yet (queued) counts as the newest: it is what comes next. */
function startTime(check: HeadCheck): number {
  const time = check.startedAt ? Date.parse(check.startedAt) : NaN;
  return Number.isNaN(time) ? Infinity : time;
}

function verdictOf(check: HeadCheck, accepted: ReadonlySet<string>): Verdict {
  if (check.status === "pending") return { state: "in progress" };
  const conclusion = check.conclusion ?? "no conclusion";
  return { state: accepted.has(conclusion) ? "ok" : "failed", conclusion };
}

/** Who reported a check: the app of a check run, or "commit status". Each source's own latest result counts. */
const sourceOf = (check: HeadCheck): string => (check.kind === "commit status" ? "commit status" : `app ${check.app ?? "unknown"}`);

/**
 * The verdict on one required name. Within each source (the app of a check run, or commit statuses) the latest
 * started decides (a re-run replaces the earlier result); across sources the worst one decides, so a success posted
 * under the same name by someone else (a workflow, a status) cannot hide another tool's failure.
 */
export function latestVerdict(name: string, checks: HeadCheck[], accepted: ReadonlySet<string>): Verdict {
  const verdicts = [...latestPerSource(name, checks, accepted).values()];
  return verdicts.sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state])[0] ?? { state: "not reported yet" };
}

/** Each source's latest verdict on one name (see {@link latestVerdict}). */
function latestPerSource(name: string, checks: HeadCheck[], accepted: ReadonlySet<string>): Map<string, Verdict> {
  const latest = new Map<string, { startedAt: number; verdict: Verdict }>();
  for (const check of checks) {
    if (check.name !== name) continue;
    const source = sourceOf(check);
    const best = latest.get(source);
    const candidate = { startedAt: startTime(check), verdict: verdictOf(check, accepted) };
    const worseTie = !!best && candidate.startedAt === best.startedAt && SEVERITY[candidate.verdict.state] < SEVERITY[best.verdict.state];
    if (!best || candidate.startedAt > best.startedAt || worseTie) latest.set(source, candidate);
  }
  return new Map([...latest].map(([source, l]) => [source, l.verdict]));
}

/** A source as the row names it: `app \`codeql\``, or a commit status. */
const describeSource = (source: string): string => (source.startsWith("app ") ? `app ${inlineCode(source.slice(4))}` : "a commit status");
const describeSources = (sources: Iterable<string>): string => [...new Set(sources)].sort().map(describeSource).join(" and ");

export function evaluateRequiredChecks(snapshot: PullRequestFacts<"headChecks">, config: RequiredChecksSettings): Finding {
  const configured = requiredCheckSpecs(config);
  const names = configured.filter((spec) => spec.name !== OWN_CHECK_NAME);
  const notes: string[] = [];
  if (names.length < configured.length) {
    notes.push(
      `${inlineCode(OWN_CHECK_NAME)} is this check itself and is never waited on: remove it from \`controls.required-checks.checks\`.`,
    );
  }
  if (configured.length === 0) return pass("No required checks configured.");
  if (names.length === 0) return pass("No required checks to wait for.", notes);
  if (!snapshot.headChecks) return cannotEvaluate("the checks on the head commit", "they were not read for this evaluation");
  if (!snapshot.headChecks.ok) return cannotEvaluate("the checks on the head commit", snapshot.headChecks.error);

  const checks = snapshot.headChecks.value;
  const sha = `\`${snapshot.headSha.slice(0, 7)}\``;
  const accepted = new Set<string>(config.accepted_conclusions);
  const passed: string[] = [];
  const failed: string[] = [];
  const waiting: string[] = [];
  for (const spec of names) {
    const { name } = spec;
    const label = spec.app ? `${inlineCode(name)} from app ${inlineCode(spec.app)}` : inlineCode(name);
    const counted = checks.filter((check) => countsFor(spec, check));
    const ignored = checks.filter((check) => check.name === name && !countsFor(spec, check)).map(sourceOf);
    // A pinned check names the reports of its name that it did not count, so an impostor is visible, not silent.
    const notCounted = ignored.length ? `; also reported by ${describeSources(ignored)}, which does not count` : "";
    const verdict = latestVerdict(name, counted, accepted);
    if (verdict.state === "ok")
      passed.push(`${label} (${verdict.conclusion} from ${describeSources(latestPerSource(name, counted, accepted).keys())}${notCounted})`);
    else if (verdict.state === "failed") failed.push(`${label} (${verdict.conclusion}${notCounted})`);
    else if (verdict.state === "in progress") waiting.push(`${label} (in progress${notCounted})`);
    else {
      waiting.push(`${label} (not reported yet on ${sha}${notCounted})`);
      const similar = [...new Set(checks.map((c) => c.name))].filter((other) => other.toLowerCase() === name.toLowerCase());
      if (similar.length)
        notes.push(
          `No check is named exactly ${inlineCode(name)}, but ${similar.map(inlineCode).join(", ")} reported: names match case-sensitively.`,
        );
    }
  }
  const noteList = notes.length ? notes : undefined;
  const acceptedList = config.accepted_conclusions.join(", ");

  if (failed.length) {
    const stillWaiting = waiting.length ? ` Still waiting for: ${waiting.join(", ")}.` : "";
    return fail(
      `Required check(s) did not succeed on ${sha}: ${failed.join(", ")}.${stillWaiting}`,
      `Fix what the failing check(s) report and push, or re-run them if the failure was spurious (accepted conclusions: ${acceptedList}).`,
      noteList,
    );
  }
  if (waiting.length) {
    return pending(
      `Waiting for: ${waiting.join(", ")}.`,
      "Nothing to do yet: the control is re-evaluated automatically when they complete. If a check never reports, make sure it runs on pull requests and that its name matches exactly.",
      noteList,
    );
  }
  return pass(`All ${names.length} required check(s) succeeded on ${sha}: ${passed.join(", ")}.`, noteList);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    checks: z
      .array(
        z.union([
          z.string().min(1).max(200).describe("A check run or commit-status context of this name, from any source."),
          z
            .strictObject({
              name: z.string().min(1).max(200).describe("The check run's name."),
              app: z
                .string()
                .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/)
                .describe(
                  "Slug of the GitHub App that must post it (e.g. github-advanced-security; github-actions for workflows). A run of that name from any other app, or a commit status, does not count.",
                ),
            })
            .describe("A check run pinned to the app that must post it."),
        ]),
      )
      .max(50)
      .default([])
      .describe(
        "Check runs or commit-status contexts that must conclude successfully on the head commit: a name, or { name, app } to accept it only from that app. Empty: the control is off.",
      ),
    accepted_conclusions: z
      .array(z.enum(["success", "neutral", "skipped"]))
      .min(1)
      .default(["success"])
      .describe("Conclusions that count as passed. GitHub's branch protection also accepts neutral and skipped."),
  })
  .describe(
    "`required-checks`: named checks (SAST, SCA, tests...) concluded successfully on the head commit; pending keeps the control pending.",
  );

export type RequiredChecksSettings = z.output<typeof settings>;

export const requiredChecksControl = pullRequestControl({
  id: "required-checks",
  family: "pull-request",
  settings,
  floor: { checks: "union", accepted_conclusions: "narrow" },
  facts: { headChecks: () => true },
  triggers: [...PULL_REQUEST_CHANGES, "check_run", "check_suite", "status"],
  offUntilConfigured: (s) => (s.checks.length === 0 ? "No required checks configured (`controls.required-checks.checks`)." : undefined),
  evaluate: ({ snapshot }, settings) => evaluateRequiredChecks(snapshot, settings),
});
