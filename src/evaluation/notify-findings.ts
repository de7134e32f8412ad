import { formatConfigError, type ConfigError } from "../config/config-error.js";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "../config/notifications-schema.js";
import type { ControlResult } from "../controls/results.js";
import type { Notification } from "../report/notification-messages.js";
import type { EndedWaiver, Waiver } from "../controls/waivers.js";

/** Inline code marks of our Markdown subjects ("tag `v1.4.0`") are dropped: each channel escapes text its own way. */
const plain = (text: string): string => text.replace(/`/g, "");

const severityOf = (result: ControlResult): Notification["severity"] =>
  result.outcome === "error" ? "unverified" : result.enforcement === "advisory" ? "advisory" : "violation";

const isNotifiedEvent = (id: string): id is NotificationEvent => (NOTIFICATION_EVENTS as readonly string[]).includes(id);

/** What a failing row of a push, tag or release evaluation tells the org's channels (one per control and occurrence). */
export function refFindingNotification(
  finding: { owner: string; repo: string; sha: string; subject: string; actor: string; commitUrl: string; occurrenceKey: string },
  result: ControlResult,
  at: string,
): Notification | null {
  if (!isNotifiedEvent(result.id)) return null;
  return {
    event: result.id,
    key: `${result.id}:${finding.occurrenceKey}`,
    repository: `${finding.owner}/${finding.repo}`,
    title: `${result.id} in ${finding.owner}/${finding.repo}: ${plain(finding.subject)}`,
    severity: severityOf(result),
    facts: [
      { name: "Commit", value: finding.sha.slice(0, 12) },
      { name: "By", value: finding.actor },
      { name: "Finding", value: result.reason },
      ...(result.fix ? [{ name: "How to fix", value: result.fix }] : []),
    ],
    url: finding.commitUrl,
    at,
  };
}

/**
 * A push to the default branch found the repository's own config unusable: its controls were judged under the org's
 * policy, and the org is told the file is broken (once per push: each push under a broken file is an occurrence).
 */
export function configErrorNotification(
  push: { owner: string; repo: string; sha: string; actor: string; commitUrl: string; occurrenceKey: string },
  error: ConfigError,
  at: string,
): Notification {
  return {
    event: "config-error",
    key: `config-error:${push.occurrenceKey}`,
    repository: `${push.owner}/${push.repo}`,
    title: `config-error in ${push.owner}/${push.repo}: ${error.file} cannot be used`,
    severity: "unverified",
    facts: [
      { name: "Error", value: plain(formatConfigError(error)) },
      { name: "Commit", value: push.sha.slice(0, 12) },
      { name: "Pushed by", value: push.actor },
      { name: "Judged under", value: "the org's policy (the repository's file is set aside until it is fixed)" },
    ],
    url: push.commitUrl,
    at,
  };
}

/** The merge-time verdict: a PR merged without a passing sdlc-guard result on its final head. */
export function unverifiedMergeNotification(
  merge: { owner: string; repo: string; number: number; htmlUrl: string; key: string },
  facts: { mergedBy: string | null; bypass: boolean | null; headSha: string | null },
  result: ControlResult,
  at: string,
): Notification {
  return {
    event: "merged-unverified",
    key: merge.key,
    repository: `${merge.owner}/${merge.repo}`,
    title: `#${merge.number} merged in ${merge.owner}/${merge.repo} without a passing sdlc-guard result`,
    severity: severityOf(result),
    facts: [
      { name: "Merged by", value: facts.mergedBy ?? "unknown" },
      { name: "Final head", value: facts.headSha?.slice(0, 12) ?? "unknown" },
      { name: "Required check bypassed", value: facts.bypass === null ? "unknown" : facts.bypass ? "yes" : "no" },
      { name: "Finding", value: result.reason },
    ],
    url: `${merge.htmlUrl}/pull/${merge.number}`,
    at,
  };
}

/** A waiver in force on a PR: told once per grant (its comment is the record). */
export function waiverGrantedNotification(pr: { owner: string; repo: string; number: number }, waiver: Waiver, at: string): Notification {
  return {
    event: "waiver-granted",
    key: `waiver-granted:#${pr.number}:${waiver.control}:${waiver.url}`,
    repository: `${pr.owner}/${pr.repo}`,
    title: `${waiver.control} waived on #${pr.number} in ${pr.owner}/${pr.repo} by ${waiver.by}`,
    severity: "info",
    facts: [
      { name: "Control", value: waiver.control },
      { name: "Waived by", value: waiver.by },
      { name: "Justification", value: waiver.justification },
      { name: "Expires", value: waiver.expiresAt ?? "never" },
    ],
    url: waiver.url,
    at,
  };
}

/** A waiver that no longer applies (expired, or a new commit): told once per waiver. */
export function waiverEndedNotification(pr: { owner: string; repo: string; number: number }, ended: EndedWaiver, at: string): Notification {
  return {
    event: "waiver-ended",
    key: `waiver-ended:#${pr.number}:${ended.control}:${ended.by}:${ended.grantedAt ?? ended.why}`,
    repository: `${pr.owner}/${pr.repo}`,
    title: `The waiver of ${ended.control} on #${pr.number} in ${pr.owner}/${pr.repo} ended`,
    severity: "info",
    facts: [
      { name: "Control", value: ended.control },
      { name: "Waived by", value: ended.by },
      { name: "Why it ended", value: plain(ended.why) },
    ],
    ...(ended.url ? { url: ended.url } : {}),
    at,
  };
}
