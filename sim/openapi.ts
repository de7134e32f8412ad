import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// GitHub's published OpenAPI description: every response the simulator or a test mock sends is checked against it.
const require = createRequire(import.meta.url);
type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json; examples?: Record<string, { $ref?: string; value?: unknown }> }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { examples: Record<string, { value: unknown }> } & Json;
  "x-webhooks": Record<string, { post: { requestBody: { content: Record<string, { schema: Json }> } } }>;
}

let doc: OpenApiDoc | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function openapi(): { doc: OpenApiDoc; ajv: Ajv } {
  if (!doc || !ajv) {
    doc = require("@octokit/openapi/generated/api.github.com.json") as OpenApiDoc;
    const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    ajv = new Ajv({ strict: false, allErrors: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    // GitHub's own format for `owner/name` (the `head_repo` of a new pull request).
    ajv.addFormat("repo.nwo", /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/);
    ajv.addSchema({ $id: "gh", components: toJsonSchema(doc.components) });
  }
  return { doc, ajv };
}

/** OpenAPI 3.0 `nullable` to JSON Schema: `type: [t, "null"]`, or `anyOf [schema, null]` where there is no type. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === "string") return { ...out, type: [out.type, "null"] };
  return { anyOf: [out, { type: "null" }] };
}

export interface MatchedOperation {
  template: string;
  method: string;
  operation: Operation;
}

const templateMatchers = new Map<string, { regex: RegExp; literals: number }>();
function matcherFor(template: string): { regex: RegExp; literals: number } {
  let matcher = templateMatchers.get(template);
  if (!matcher) {
    const parts = template.split("/");
    const source = parts
      .map((part, i) => (/^\{.+\}$/.test(part) ? (i === parts.length - 1 ? ".+" : "[^/]+") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    // eslint-disable-next-line no-restricted-syntax -- built from GitHub's own path templates, not user input
    matcher = { regex: new RegExp(`^${source}$`), literals: parts.filter((p) => !p.startsWith("{")).length };
    templateMatchers.set(template, matcher);
  }
  return matcher;
}

/** Operations already found, by method and path: the search below reads every one of GitHub's ~1,000 templates. */
const foundOperations = new Map<string, MatchedOperation | undefined>();

/** Finds the documented operation for a request path (no query string); the most literal template wins. */
export function findOperation(method: string, path: string): MatchedOperation | undefined {
  const key = `${method.toLowerCase()} ${path}`;
  if (foundOperations.has(key)) return foundOperations.get(key);
  const found = searchOperation(method, path);
  if (foundOperations.size >= 5_000) foundOperations.clear();
  foundOperations.set(key, found);
  return found;
}

function searchOperation(method: string, path: string): MatchedOperation | undefined {
  const { doc } = openapi();
  const lower = method.toLowerCase();
  const decoded = decodeURIComponent(path);
  let best: MatchedOperation | undefined;
  let bestLiterals = -1;
  for (const [template, item] of Object.entries(doc.paths)) {
    const operation = item[lower];
    if (!operation) continue;
    const { regex, literals } = matcherFor(template);
    if ((regex.test(path) || regex.test(decoded)) && literals > bestLiterals) {
      best = { template, method: lower, operation };
      bestLiterals = literals;
    }
  }
  return best;
}

function compile(key: string, schema: Json): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    const rewritten = toJsonSchema(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'))) as Json;
    validate = openapi().ajv.compile(rewritten);
    validators.set(key, validate);
  }
  return validate;
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)
    .join("; ");
}

/** Problems with a response GitHub would send for this request, or [] when it matches the published description. */
export function responseProblems(method: string, path: string, status: number, body: unknown): string[] {
  const matched = findOperation(method, path);
  if (!matched) return [`GitHub has no operation ${method.toUpperCase()} ${path}`];
  // Server faults and rate limits are answered by any endpoint and described once, in GitHub's rate-limit docs.
  if (status >= 500 || isRateLimitAnswer(status, body)) return [];
  const response = sharedResponse(matched.operation.responses[String(status)]);
  if (!response) return [`${matched.operation.operationId} never answers HTTP ${status}`];
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) return body === undefined || body === "" || status === 404 ? [] : [`${matched.operation.operationId} ${status} has no body`];
  const validate = compile(`${matched.method} ${matched.template} ${status}`, schema);
  return validate(body) ? [] : [`${matched.operation.operationId} ${status}: ${describeErrors(validate)}`];
}

/** A response described once for many operations (`$ref: #/components/responses/forbidden`), resolved. */
function sharedResponse(
  response: Operation["responses"][string] | { $ref?: string } | undefined,
): Operation["responses"][string] | undefined {
  const ref = (response as { $ref?: string } | undefined)?.$ref;
  if (!ref) return response as Operation["responses"][string] | undefined;
  const name = ref.replace("#/components/responses/", "");
  return (openapi().doc.components as unknown as { responses: Record<string, Operation["responses"][string]> }).responses[name];
}

function isRateLimitAnswer(status: number, body: unknown): boolean {
  const message = (body as { message?: unknown } | undefined)?.message;
  return (status === 403 || status === 429) && typeof message === "string" && /rate limit/i.test(message);
}

/** Problems with a request body this client sends, or [] when the operation accepts it. */
export function requestProblems(method: string, path: string, body: unknown): string[] {
  const matched = findOperation(method, path);
  if (!matched) return [`GitHub has no operation ${method.toUpperCase()} ${path}`];
  const requestBody = matched.operation.requestBody;
  const schema = requestBody?.content?.["application/json"]?.schema;
  if (!schema || (body === undefined && !requestBody?.required)) return [];
  const validate = compile(`${matched.method} ${matched.template} request`, schema);
  return validate(body) ? [] : [`${matched.operation.operationId} request: ${describeErrors(validate)}`];
}

/** GitHub's own documented example response of an operation (a deep copy), the starting point of every fixture. */
export function exampleResponse(method: string, template: string, status: number): Json {
  const { doc } = openapi();
  const operation = doc.paths[template]?.[method.toLowerCase()];
  const examples = operation?.responses[String(status)]?.content?.["application/json"]?.examples;
  const first = examples && Object.values(examples)[0];
  if (!first) throw new Error(`no documented example for ${method} ${template} ${status}`);
  const value = first.$ref ? doc.components.examples[first.$ref.split("/").pop()!]!.value : first.value;
  return structuredClone(value) as Json;
}

function webhookValidator(eventAndAction: string): ValidateFunction | undefined {
  const schema = openapi().doc["x-webhooks"][eventAndAction]?.post.requestBody.content["application/json"]?.schema;
  return schema && compile(`webhook ${eventAndAction}`, schema);
}

/** Problems with a webhook payload against the event's published schema (e.g. `pull-request-edited`). */
export function webhookProblems(eventAndAction: string, payload: unknown): string[] {
  const validate = webhookValidator(eventAndAction);
  if (!validate) return [`GitHub documents no webhook ${eventAndAction}`];
  return validate(payload) ? [] : [`webhook ${eventAndAction}: ${describeErrors(validate)}`];
}

/** Fields GitHub now always sends that the (older) @octokit/webhooks-examples payloads lack, with GitHub's value for them. */
const FIELDS_ADDED_SINCE_EXAMPLES: Record<string, unknown> = {
  auto_merge: null,
  has_discussions: false,
  draft: false,
  node_id: "CR_kwDOAAAAAA",
  homepage: null,
  active_lock_reason: null,
  topics: [],
  visibility: "public",
  details_url: "https://github.com",
  permissions: {},
  events: [],
  lock_branch_enforcement_level: "off",
  disabled: false,
};

/** Brings an example payload up to the current schema by adding fields GitHub added since; anything else is left to fail. */
export function upgradeWebhookExample(eventAndAction: string, payload: Record<string, unknown>): void {
  const validate = webhookValidator(eventAndAction);
  for (let round = 0; validate && round < 20 && !validate(payload); round++) {
    const error = validate.errors?.find((e) => (e.keyword === "required" || e.keyword === "format") && e.instancePath !== undefined);
    if (!error) return;
    const field = error.keyword === "required" ? String(error.params.missingProperty) : error.instancePath.split("/").pop()!;
    if (!(field in FIELDS_ADDED_SINCE_EXAMPLES)) return;
    const parentPath = error.keyword === "required" ? error.instancePath : error.instancePath.split("/").slice(0, -1).join("/");
    const parent = parentPath
      .split("/")
      .slice(1)
      .reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, payload);
    parent[field] = FIELDS_ADDED_SINCE_EXAMPLES[field];
  }
}
