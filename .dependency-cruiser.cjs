// The layering of src/, checked by `npm run lint` (dependency-cruiser). Each rule's name is what a violation prints.
//
//   index/app ─► handlers ─► evaluation ─► github, jira   (gateways: the only code that talks to the outside)
//        cli ─► evaluation                    │
//                   all of them ─► controls, config, report ─► facts, common   (pure: decisions, policy, rendering)
//
// Pure layers never import a gateway, a handler or the evaluation; gateways never call back up.
const pure = "^src/(controls|config|report|facts|common)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-import-cycles",
      comment:
        "A cycle between source files (type-only imports included) means two rooms depend on each other: move the shared piece down a layer.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "pure-layers-stay-pure",
      comment:
        "controls/, config/, report/, facts/ and common/ are pure: no GitHub or Jira gateway, no handler, no evaluation pipeline, no process-level module.",
      severity: "error",
      from: { path: pure },
      to: { path: "^src/(github|jira|notify|handlers|evaluation|cli|operations|scale|audit|app\\.ts|index\\.ts)" },
    },
    {
      name: "facts-and-common-are-the-floor",
      comment: "facts/ (what was read) and common/ (neutral helpers and product constants) import nothing else of ours but each other.",
      severity: "error",
      from: { path: "^src/(facts|common)/" },
      to: { path: "^src/", pathNot: "^src/(facts|common)/" },
    },
    {
      name: "decisions-do-not-render",
      comment: "controls/ decide and config/ describes the policy: neither imports report/ (shared Markdown helpers live in common/).",
      severity: "error",
      from: { path: "^src/(controls|config)/" },
      to: { path: "^src/report/" },
    },
    {
      name: "gateways-never-call-back-up",
      comment: "github/ and jira/ are called by the evaluation; they never import a handler, the evaluation pipeline or the CLI.",
      severity: "error",
      from: { path: "^src/(github|jira)/" },
      to: { path: "^src/(handlers|evaluation|cli|app\\.ts|index\\.ts)" },
    },
    {
      name: "notify-is-a-gateway",
      comment:
        "notify/ sends findings to Slack, Teams and webhooks (called by the evaluation, payloads from report/): it never imports a handler, the evaluation pipeline, the CLI or the GitHub gateway.",
      severity: "error",
      from: { path: "^src/notify/" },
      to: { path: "^src/(handlers|evaluation|cli|github|jira|operations|scale|app\\.ts|index\\.ts)" },
    },
    {
      name: "evaluation-is-not-a-handler",
      comment: "The evaluation pipeline is called by handlers and the CLI, never the other way round.",
      severity: "error",
      from: { path: "^src/evaluation/" },
      to: { path: "^src/(handlers|cli|app\\.ts|index\\.ts)" },
    },
    {
      name: "cli-uses-no-handler",
      comment: "The CLI evaluates through src/evaluation/ like the handlers do; handler internals are not its API.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/handlers/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
