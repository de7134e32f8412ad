import { pino, type Logger } from "pino";
import {
  createEvaluationMemory,
  evaluatePullRequest,
  type EvaluationOutcome,
  type PullRequestTarget,
} from "../evaluation/evaluate-pull-request.js";
import { describeGitHubError } from "../common/describe-error.js";
import { createJiraClient, jiraSettingsFromEnv } from "../jira/jira-client.js";
import { markdownForTerminal, terminalText } from "../report/terminal-text.js";
import { githubClientFromEnv } from "./github-client.js";
import { CliError, EXIT, type CliDeps, type CliIo, type CliOutput } from "./io.js";

export interface EvaluateOptions {
  json?: boolean;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** JSON log lines on stderr (stdout carries only the result), at `LOG_LEVEL`, `warn` by default. */
export function cliLogger(env: NodeJS.ProcessEnv, stderr: CliOutput): Logger {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || "warn";
  if (!LOG_LEVELS.includes(level)) throw new CliError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${level.slice(0, 20)}"`);
  return pino({ level, name: "sdlc-guard" }, { write: (line: string) => stderr.write(line) });
}

/** Our app id when `APP_ID` is one (it finds our own check run); as in the app. */
export function appIdFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const appId = Number(env.APP_ID);
  return Number.isInteger(appId) && appId > 0 ? appId : undefined;
}

/**
 * `sdlc-guard evaluate <pr>`: evaluates the PR exactly as the app would, from fresh GitHub state, and prints the
 * `sdlc-guard` check run it would post, without writing anything to GitHub. Returns the exit code (see {@link EXIT}).
 */
export async function evaluateCommand(
  target: PullRequestTarget,
  options: EvaluateOptions,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  deps: CliDeps = {},
): Promise<number> {
  const ref = `${target.owner}/${target.repo}#${target.number}`;
  const log = cliLogger(env, io.stderr);
  const { octokit, auth } = await githubClientFromEnv(env, target, log, deps.Octokit);
  log.debug({ pull_request: ref, auth }, "evaluating (dry run)");
  const jira = jiraSettingsFromEnv(env);
  const evaluation = {
    memory: createEvaluationMemory(),
    octokit,
    log,
    appId: appIdFromEnv(env),
    jira: jira && createJiraClient(jira),
    write: false,
    now: deps.now,
  };
  const outcome = await evaluatePullRequest(evaluation, target).catch((error: unknown) => {
    throw new CliError(`cannot evaluate ${ref}: ${describeGitHubError(error)}`);
  });

  if (outcome.status === "skipped" || !outcome.report) {
    io.stderr.write(
      `sdlc-guard: nothing to evaluate for ${ref}: ${outcome.reason ?? "no report"} (only open pull requests get a check run)\n`,
    );
    return EXIT.error;
  }
  const { conclusion, output } = outcome.report;
  if (options.json) {
    const result = {
      pullRequest: ref,
      headSha: outcome.headSha,
      conclusion,
      title: output.title,
      summary: output.summary,
      results: outcome.results ?? [],
      githubRequests: outcome.requests,
      rules: outcome.rules ?? { matched: [], undecided: [] },
      dryRun: true,
    };
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const requests = `${outcome.requests} GitHub request${outcome.requests === 1 ? "" : "s"}`;
    io.stdout.write(
      [
        `sdlc-guard: ${conclusion} (${ref} at ${outcome.headSha?.slice(0, 12) ?? "unknown head"})`,
        output.title,
        "",
        // Aligned for a terminal, without the hidden rows (base64, for the app's next evaluation): --json has them.
        markdownForTerminal(output.summary),
        "",
        ...rulesLines(outcome.rules),
        `(dry run: nothing was written to GitHub; ${requests})`,
        "",
      ].join("\n"),
    );
  }
  return conclusion === "success" ? EXIT.success : EXIT.failure;
}

/** The `rules:` that applied to the PR, one a line with why, and those that could not be decided (their controls fail). */
function rulesLines(rules: EvaluationOutcome["rules"]): string[] {
  if (!rules || (!rules.matched.length && !rules.undecided.length)) return [];
  // Rule names are repository text: no control character reaches the terminal.
  const text = terminalText;
  return [
    ...rules.matched.map((rule) => `rule applied: ${text(rule.name)} (${text(rule.why)})`),
    ...rules.undecided.map((rule) => `rule not decidable, its controls fail: ${text(rule.name)} (${text(rule.why)})`),
    "",
  ];
}
