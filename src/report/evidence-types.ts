import type { Enforcement } from "../config/schema-parts.js";
import type { ControlId } from "../controls/catalogue.js";
import type { Outcome } from "../controls/finding.js";

// The auditor's evidence export (POL-008: "Evidence of testing and approvals shall be retained"): what shipped in a
// period, who approved it, what sdlc-guard concluded, and what could not be read. Times are ISO 8601 (UTC).

/** The latest approving review of one reviewer. */
export interface EvidenceApprover {
  login: string;
  approvedAt: string | null;
  /** The commit the approval was given on; null when GitHub no longer knows it. */
  commit: string | null;
}

/** A control that was waived on the PR: who, when, why, and the comment that is the record. */
export interface EvidenceWaiver {
  control: ControlId;
  by: string;
  at: string;
  justification: string;
  url: string;
  /** When the waiver ended by itself (its expiry); absent for waivers recorded before waivers expired. */
  expiresAt?: string;
}

export interface EvidencePullRequest {
  repository: string;
  number: number;
  title: string;
  url: string;
  /** null: a deleted account. */
  author: string | null;
  mergedAt: string;
  mergeCommit: string | null;
  baseBranch: string;
  headBranch: string;
  /** The head commit that was merged (where our check run is). */
  headCommit: string;
  approvers: EvidenceApprover[];
  jiraKeys: string[];
  /**
   * Our `sdlc-guard` check run on the merged head: its conclusion (`success`, `failure`, `neutral`...), `pending` when it
   * had not completed, `none` when there is no such run, `unknown` when GitHub would not say (see unreadable).
   */
  conclusion: string;
  /** Each control's result as the run recorded it, in catalogue order. */
  controls: { id: ControlId; enforcement: Enforcement; outcome: Outcome }[];
  waivers: EvidenceWaiver[];
  /** Who merged it (null: GitHub does not say, e.g. a deleted account). */
  mergedBy: string | null;
  /**
   * `merged-unverified`: `verified` when it merged with a successful run on its final head (waivers included),
   * `unverified` when it merged past a failing, pending or missing one, `unknown` when the run could not be read.
   */
  mergeVerdict: "verified" | "unverified" | "unknown";
}

/** One push the app recorded in its `direct-push` / `force-push` violation issue. */
export interface EvidencePush {
  repository: string;
  kind: "direct" | "forced";
  control: "direct-push" | "force-push";
  /** When the app recorded it (the issue or the comment). */
  at: string;
  issueUrl: string;
  /** The first line of the occurrence's text. */
  summary: string;
}

export interface EvidenceRelease {
  repository: string;
  tag: string;
  name: string | null;
  publishedAt: string;
  prerelease: boolean;
  url: string;
}

/** Something the export could not read, and why: the export states it instead of leaving it out. */
export interface EvidenceUnreadable {
  what: string;
  why: string;
}

export interface EvidenceExport {
  org: string;
  /** Set when the export was limited to one repository. */
  repository?: string;
  /** [since, until). */
  period: { since: string; until: string };
  generatedAt: string;
  pullRequests: EvidencePullRequest[];
  pushes: EvidencePush[];
  releases: EvidenceRelease[];
  unreadable: EvidenceUnreadable[];
  /** GitHub requests the collection made (not part of the formats: it is reported on stderr). */
  requests: number;
}
