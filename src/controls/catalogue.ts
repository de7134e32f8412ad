import type { z } from "zod";
import type {
  AnyControl,
  AnyPullRequestControl,
  DeploymentControl,
  PullRequestControl,
  PushControl,
  SettingsSchema,
  TagControl,
  ViolationIssue,
} from "./control.js";
import { branchProtectionControl } from "./branch-protection.js";
import { commitMessagesControl } from "./commit-messages.js";
import { deploymentControl } from "./deployment.js";
import { descriptionControl } from "./description.js";
import { directPushControl } from "./direct-push.js";
import { forcePushControl } from "./force-push.js";
import { jiraControl } from "./jira.js";
import { mergedUnverifiedControl } from "./merged-unverified.js";
import { releaseNotesControl } from "./release-notes.js";
import { releaseTagControl } from "./release-tag.js";
import { requiredChecksControl } from "./required-checks.js";
import { reviewerTeamsControl } from "./reviewer-teams.js";
import { reviewsControl } from "./reviews.js";
import { secretScanningControl } from "./secret-scanning.js";
import { signedReleaseControl } from "./signed-release.js";

/**
 * Every control, in the order of the control catalogue (CONTROLS.md), which is the order of the check run's table.
 * Adding a control: its file (settings, facts, triggers, evaluate) and one line here.
 */
export const CATALOGUE = [
  reviewsControl,
  reviewerTeamsControl,
  jiraControl,
  descriptionControl,
  branchProtectionControl,
  secretScanningControl,
  requiredChecksControl,
  commitMessagesControl,
  mergedUnverifiedControl,
  directPushControl,
  forcePushControl,
  releaseTagControl,
  signedReleaseControl,
  releaseNotesControl,
  deploymentControl,
] as const;

type Catalogued = (typeof CATALOGUE)[number];
export type ControlId = Catalogued["id"];
export type PullRequestControlId = Extract<Catalogued, { family: "pull-request" }>["id"];
/** The controls of pushes, tags, releases and deployments. */
export type RefControlId = Exclude<ControlId, PullRequestControlId>;
/** The controls whose findings are also collected in a violation issue. */
export type ViolationControlId = Extract<Catalogued, { violationIssue: unknown }>["id"];

/** The `controls` section of the configuration, as parsed: each control's settings by id. */
export type ControlSettings = { [C in Catalogued as C["id"]]: z.output<C["settings"]> };

export const CONTROL_IDS: readonly ControlId[] = CATALOGUE.map((control) => control.id);

const catalogued: readonly AnyControl[] = CATALOGUE;
export const PULL_REQUEST_CONTROLS = catalogued.filter(
  (c): c is AnyPullRequestControl & { id: PullRequestControlId } => c.family === "pull-request",
);
export const PULL_REQUEST_CONTROL_IDS: readonly PullRequestControlId[] = PULL_REQUEST_CONTROLS.map((control) => control.id);
export const PUSH_CONTROLS = catalogued.filter((c): c is PushControl<RefControlId, SettingsSchema> => c.family === "push");
/** The controls of a tag; a published release adds the `release` family. */
export const TAG_CONTROLS = catalogued.filter((c): c is TagControl<RefControlId, SettingsSchema> => c.family === "tag");
export const RELEASE_CONTROLS = catalogued.filter((c): c is TagControl<RefControlId, SettingsSchema> => c.family === "release");

/** The descriptor of a control id. */
export function controlOf(id: ControlId): AnyControl {
  return catalogued.find((control) => control.id === id)!;
}

/** The issue that collects a control's findings; undefined for controls that report only on check runs or gates. */
export function violationIssueOf(id: ControlId): ViolationIssue | undefined {
  const control = controlOf(id);
  return "violationIssue" in control ? control.violationIssue : undefined;
}

/** The zod shape of the `controls` section: each control's settings, defaulted when the section omits it. */
export function controlSettingsShape(): { [C in Catalogued as C["id"]]: z.ZodPrefault<C["settings"]> } {
  return Object.fromEntries(catalogued.map((control) => [control.id, control.settings.prefault({})])) as never;
}

/** Compile-time check: the settings each control also reads (`others`) are part of the `controls` section. */
type OthersOf<C> =
  C extends PullRequestControl<string, SettingsSchema, never, infer O>
    ? O
    : C extends DeploymentControl<string, SettingsSchema, infer O>
      ? O
      : unknown;
type AllTrue<T extends Record<string, true>> = T;
export type OthersAreSettings = AllTrue<{ [C in Catalogued as C["id"]]: ControlSettings extends OthersOf<C> ? true : false }>;
