import type { Probot } from "probot";
import { invalidateTeams } from "../evaluation/state-cache.js";
import type { HandlerDeps } from "./app-options.js";

/**
 * Team membership is cached (reviewer teams, code-owner teams): a member added to or removed from a team, a team
 * created, renamed or deleted, or a member leaving the organisation drops every cached team of the org (members
 * include child teams', so one team's change reaches its parents). The next evaluation reads them again; open PRs
 * are not re-evaluated (their next event picks the change up).
 */
export function registerTeamEvents(app: Probot, options: HandlerDeps): void {
  const { cache } = options.memory;
  app.on(["membership.added", "membership.removed"], async (context) => {
    const { organization, team } = context.payload;
    const dropped = invalidateTeams(cache, organization.login);
    context.log.debug({ org: organization.login, team: "slug" in team ? team.slug : team.id, dropped }, "team membership changed");
  });
  app.on(["team.created", "team.deleted", "team.edited"], async (context) => {
    const org = context.payload.organization.login;
    context.log.debug({ org, dropped: invalidateTeams(cache, org) }, `team ${context.payload.action}`);
  });
  app.on(["organization.member_removed"], async (context) => {
    const org = context.payload.organization.login;
    context.log.debug({ org, dropped: invalidateTeams(cache, org) }, "member left the organisation");
  });
}
