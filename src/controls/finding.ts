/**
 * pass / fail on the policy; `error` when the data to decide could not be read (counts as a failure); `pending` when
 * the answer is not known yet (a required check still running): the check run stays in progress; `waived` when it
 * did not pass but an authorised approver waived it on this PR (counts as passed; the row says who, when and why).
 */
export type Outcome = "pass" | "fail" | "error" | "pending" | "waived";

export interface Finding {
  outcome: Outcome;
  /** Why, in one sentence, with the facts that led to it. */
  reason: string;
  /** How to make it pass; empty when it passes. */
  fix: string;
  /** Extra observations (stricter settings, advisory notes) that do not change the outcome. */
  notes?: string[];
}

export const pass = (reason: string, notes?: string[]): Finding => ({ outcome: "pass", reason, fix: "", notes });
export const fail = (reason: string, fix: string, notes?: string[]): Finding => ({ outcome: "fail", reason, fix, notes });
export const pending = (reason: string, fix: string, notes?: string[]): Finding => ({ outcome: "pending", reason, fix, notes });
export const cannotEvaluate = (what: string, error: string): Finding => ({
  outcome: "error",
  reason: `Could not read ${what}: ${error}`,
  fix: 'Re-run the check once GitHub answers again (the "Re-run" button); the control fails until it can be evaluated.',
});
