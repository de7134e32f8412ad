import { runOrgSummary } from "../evaluation/refresh-org-summary.js";
import { describeFailure } from "../common/describe-error.js";
import { webUrlFromEnv } from "../common/web-url.js";
import { summaryAsCsv, summaryAsJson } from "../report/org-summary-formats.js";
import { summaryAsText } from "../report/terminal-text.js";
import { cliLogger, appIdFromEnv } from "./evaluate-command.js";
import { githubClientFromEnv } from "./github-client.js";
import { progressBar } from "./progress.js";
import { CliError, EXIT, type CliDeps, type CliIo } from "./io.js";

export const SUMMARY_FORMATS = ["markdown", "json", "csv", "text"] as const;

export interface SummaryOptions {
  org: string;
  post?: boolean;
  format: (typeof SUMMARY_FORMATS)[number];
}

/**
 * `sdlc-guard summary --org <org>`: builds the org's compliance summary from GitHub and prints it (Markdown as the
 * issue would show it, JSON or CSV); only with `--post` is it written to the summary issue. Exit code 0 when the
 * summary was built (and posted), 2 when it could not be (credentials, config, rate limit, GitHub errors).
 */
export async function summaryCommand(options: SummaryOptions, env: NodeJS.ProcessEnv, io: CliIo, deps: CliDeps = {}): Promise<number> {
  const { org } = options;
  const log = cliLogger(env, io.stderr);
  const { octokit } = await githubClientFromEnv(env, { owner: org }, log, deps.Octokit);
  const bar = progressBar(io.stderr);
  let run;
  try {
    run = await runOrgSummary(
      {
        octokit,
        log,
        appId: appIdFromEnv(env),
        now: deps.now,
        webUrl: webUrlFromEnv(env),
        collect: bar && { onProgress: bar.onProgress },
      },
      org,
      { post: options.post === true, trigger: "cli" },
    );
  } catch (error) {
    throw new CliError(`cannot build the summary of ${org}: ${describeFailure(error)}`);
  } finally {
    bar?.stop();
  }
  if (run.status !== "ok") {
    io.stderr.write(`sdlc-guard: the summary of ${org} was not built: ${run.reason}\n`);
    return EXIT.error;
  }
  const { summary, rendered } = run;
  const text =
    options.format === "json"
      ? summaryAsJson(summary)
      : options.format === "csv"
        ? summaryAsCsv(summary)
        : options.format === "text"
          ? summaryAsText(summary)
          : [rendered.body, ...rendered.parts].join("\n\n");
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  const where = run.published
    ? `posted to ${run.repository}#${run.published.issueNumber} (${run.published.outcome}), with ${run.postRequests} more GitHub requests`
    : `not posted (dry run; --post writes it to ${run.repository})`;
  io.stderr.write(
    `sdlc-guard: ${summary.repositories.length} repositories, ${summary.compliantPercent}% fully compliant, ${run.requests} GitHub requests; ${where}\n`,
  );
  return EXIT.success;
}
