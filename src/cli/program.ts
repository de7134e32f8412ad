import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { PullRequestTarget } from "../evaluation/evaluate-pull-request.js";
import { parseCodeowners, parseSecurityContact } from "../controls/apply-files.js";
import { APPLY_FORMATS, applyCommand, type ApplyOptions } from "./apply-command.js";
import { auditVerifyCommand } from "./audit-command.js";
import { evaluateCommand, type EvaluateOptions } from "./evaluate-command.js";
import { EVIDENCE_FORMATS, evidenceCommand, parseEvidenceDate, type EvidenceOptions } from "./evidence-command.js";
import { CliError, EXIT, type CliDeps, type CliIo } from "./io.js";
import { parsePullRequestRef, PULL_REQUEST_REF_FORMS } from "./pull-request-ref.js";
import { SUMMARY_FORMATS, summaryCommand, type SummaryOptions } from "./summary-command.js";
import { packageVersion } from "./version.js";

/**
 * Runs the `sdlc-guard` command line (`argv` as `process.argv`: node, script, arguments...) against `env`, writing
 * to `io`; resolves to the exit code and never exits the process. Usage errors go to stderr with exit code 2.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo, deps: CliDeps = {}): Promise<number> {
  let exitCode: number = EXIT.success;
  const program = createProgram(env, io, deps, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: "node" });
    return exitCode;
  } catch (error) {
    // Commander exits 0 only for help asked for; its usage errors (already written to stderr) become exit code 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.success : EXIT.error;
    // Only the message: a stack trace or an error object could carry request details.
    const message = error instanceof CliError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    io.stderr.write(`sdlc-guard: ${message}\n`);
    return EXIT.error;
  }
}

function createProgram(env: NodeJS.ProcessEnv, io: CliIo, deps: CliDeps, setExitCode: (code: number) => void): Command {
  // Set before any subcommand is added: subcommands copy these settings when created.
  const program = new Command("sdlc-guard")
    .description("sdlc-guard on the command line: what the GitHub App would report (nothing is written to GitHub unless asked)")
    .exitOverride()
    .version(packageVersion(), "-V, --version", "print the sdlc-guard version")
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .showSuggestionAfterError();

  const webHost = env.GHE_HOST?.trim() || "github.com";
  const pullRequest = new Argument("<pr>", `the pull request: ${PULL_REQUEST_REF_FORMS}`).argParser((value: string): PullRequestTarget => {
    try {
      return parsePullRequestRef(value, webHost);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  });

  program
    .command("evaluate")
    .description("print the sdlc-guard check run the app would post for an open pull request (a dry run: nothing is written)")
    .addArgument(pullRequest)
    .option("--json", "print one JSON object: conclusion, title, summary, per-control results, GitHub request count")
    .addHelpText(
      "after",
      [
        "",
        "Environment:",
        "  GITHUB_TOKEN                a token that can read the repository, or",
        "  APP_ID and PRIVATE_KEY      the GitHub App's id and private key (or PRIVATE_KEY_PATH, a PEM file):",
        "                              it authenticates as the app's installation on the repository",
        "  GHE_HOST, GHE_PROTOCOL      a GitHub Enterprise Server, as for the app",
        "  JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN   Jira lookups, as for the app",
        "  LOG_LEVEL                   JSON logs on stderr (default: warn)",
        "",
        "Exit codes: 0 the check run would succeed; 1 it would fail or is pending; 2 usage, credential or GitHub error,",
        "or the pull request is not open.",
      ].join("\n"),
    )
    .action(async (target: PullRequestTarget, options: EvaluateOptions) => {
      setExitCode(await evaluateCommand(target, options, env, io, deps));
    });

  program
    .command("summary")
    .description(
      "print the organisation's compliance summary (every repository of the installation); --post writes it to the summary issue",
    )
    .requiredOption("--org <org>", "the GitHub organisation", parseOrgLogin)
    .option("--post", 'write the summary to the "SDLC compliance summary" issue (created once, then edited in place)')
    .addOption(
      new Option("--format <format>", "what to print (text: a table for the terminal, 120 columns)")
        .choices(SUMMARY_FORMATS)
        .default("markdown"),
    )
    .addHelpText(
      "after",
      [
        "",
        "Environment: as for `evaluate` (GITHUB_TOKEN, or APP_ID with PRIVATE_KEY / PRIVATE_KEY_PATH: the app's installation",
        "on the organisation). A token needs read access to the repositories, their security alerts and the org settings.",
        "",
        "Exit codes: 0 the summary was built (and posted with --post); 2 it was not (credentials, config, rate limit, GitHub).",
      ].join("\n"),
    )
    .action(async (options: SummaryOptions) => {
      setExitCode(await summaryCommand(options, env, io, deps));
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command("apply")
    .description(
      "plan (and with --yes make) what the organisation's repositories lack: default-branch ruleset, secret scanning, push protection, CODEOWNERS / SECURITY.md pull requests",
    )
    .requiredOption("--org <org>", "the GitHub organisation", parseOrgLogin)
    .option("--repo <repo>", "only this repository (repeatable)", (value: string, previous: string[] = []) => {
      if (!/^[A-Za-z0-9._-]{1,100}$/.test(value)) throw new InvalidArgumentError("a repository name, e.g. payments");
      return [...previous, value];
    })
    .option("--include <pattern>", "only repositories whose name matches (fnmatch, e.g. 'svc-*'; repeatable)", collect)
    .option("--exclude <pattern>", "leave out repositories whose name matches (repeatable)", collect)
    .option(
      "--codeowners <owners>",
      "owners of the CODEOWNERS the pull request adds: @org/team or @login, comma-separated",
      (value: string) => {
        const parsed = parseCodeowners(value);
        if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
        return parsed.owners;
      },
    )
    .option(
      "--security-contact <contact>",
      "where the SECURITY.md the pull request adds says to report: an e-mail address or https URL",
      (value: string) => {
        const parsed = parseSecurityContact(value);
        if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
        return parsed.contact;
      },
    )
    .option("--yes", "make the planned changes (without it: a dry run, nothing is written)")
    .addOption(new Option("--format <format>", "what to print").choices(APPLY_FORMATS).default("table"))
    .addHelpText(
      "after",
      [
        "",
        "Environment: GITHUB_TOKEN, an administrator's token (organisation owner for the ruleset, repository admin for the",
        "security settings; contents and pull requests write for the CODEOWNERS / SECURITY.md pull requests); APP_ID, the sdlc-guard app's id (the required check is pinned to it); AUDIT_LOG_PATH, the audit",
        "file each change is recorded in (with who made it). The app's own permissions are never widened.",
        "",
        "Exit codes: 0 planned (dry run) or everything applied; 1 with --yes, a change failed or something cannot be changed;",
        "2 nothing was planned (usage, credentials, config, GitHub).",
      ].join("\n"),
    )
    .action(async (options: ApplyOptions) => {
      setExitCode(await applyCommand(options, env, io, deps));
    });

  program
    .command("audit")
    .description("the tamper-evident audit file (AUDIT_LOG_PATH)")
    .command("verify")
    .description(
      "check the hash chain of an audit file: every record there, unchanged, in order, none missing between the first and the last",
    )
    .argument("<file>", "the audit file (hash-chained JSON lines)")
    .addHelpText(
      "after",
      [
        "",
        "Records removed after the last one cannot be detected from the file alone: keep a copy (or the last hash it prints)",
        "in write-once storage and compare.",
        "",
        "Exit codes: 0 the chain is intact; 1 it is broken (the first problem: line, seq, what it looks like); 2 the file",
        "cannot be read.",
      ].join("\n"),
    )
    .action(async (file: string) => {
      setExitCode(await auditVerifyCommand(file, io));
    });

  program
    .command("evidence")
    .description(
      "export the auditor's evidence of a period: merged PRs with approvals, Jira keys and sdlc-guard results, recorded pushes, releases",
    )
    .requiredOption("--org <org>", "the GitHub organisation", parseOrgLogin)
    .option("--repo <repo>", "only this repository of the organisation (its name)", (value: string) => {
      if (!/^[A-Za-z0-9._-]{1,100}$/.test(value)) throw new InvalidArgumentError("a repository name, e.g. payments");
      return value;
    })
    .requiredOption("--since <date>", "start of the period (included)", parseDateOption)
    .option("--until <date>", "end of the period (excluded; default: now)", parseDateOption)
    .addOption(new Option("--format <format>", "the file format").choices(EVIDENCE_FORMATS).makeOptionMandatory())
    .option("--out <file>", "write the export to this file instead of stdout")
    .addHelpText(
      "after",
      [
        "",
        "Dates: a day YYYY-MM-DD (00:00 UTC) or an ISO 8601 time with its zone (2026-11-01T09:00:00Z); the period is [since, until).",
        "",
        "Environment: as for `evaluate` (GITHUB_TOKEN, or APP_ID with PRIVATE_KEY / PRIVATE_KEY_PATH: the app's installation on the",
        "organisation). APP_ID also tells which `sdlc-guard` check runs are the app's; without it any run of that name counts.",
        "",
        "What could not be read is listed in the export (unreadable) and on stderr, never left out.",
        "Exit codes: 0 the evidence was exported (unreadable parts included); 2 it was not (usage, credentials, rate limit, GitHub).",
      ].join("\n"),
    )
    .action(async (options: EvidenceOptions) => {
      setExitCode(await evidenceCommand(options, env, io, deps));
    });

  usageHintAfterErrors(program);
  return program;
}

/** After a usage error: the command's one-line usage and where its help is, not the whole help (each command its own). */
function usageHintAfterErrors(command: Command, parents: string[] = []): void {
  const name = [...parents, command.name()].join(" ");
  command.showHelpAfterError(`Usage: ${name} ${command.usage()}\nRun '${name} --help' for the options and an example.`);
  for (const sub of command.commands) usageHintAfterErrors(sub, [...parents, command.name()]);
}

function parseOrgLogin(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(value)) throw new InvalidArgumentError("an organisation login, e.g. acme");
  return value;
}

function parseDateOption(value: string): Date {
  try {
    return parseEvidenceDate(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
