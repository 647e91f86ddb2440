import * as os from "node:os"
import * as path from "node:path"
import { Config, ConfigProvider, Effect, type LogLevel, Result, Schema, SchemaIssue } from "effect"
import { guardrailRules } from "@ccapi/core"

/** The operator's configuration, from command-line flags and environment variables. The model cannot change it. */
export interface ServerConfig {
  readonly readOnly: boolean
  readonly sandbox: boolean
  readonly securityScanning: "enabled" | "disabled"
  readonly defaultTags: "enabled" | "disabled"
  readonly logLevel: LogLevel.LogLevel
  readonly approval: "auto" | "required" | "off" | "model"
  /**
   * The text beside a structured result: `summary` (clients of 2025-06-18 or later read the result in
   * `structuredContent`; the text names the tokens and the next step) or `json` (the whole result again, for clients
   * that show the model only the text).
   */
  readonly resultText: "summary" | "json"
  /** `on`: ccapi serves its approval page (on 127.0.0.1 under stdio, on the HTTP listener with --http); `off`: no page. */
  readonly approvalPage: "on" | "off"
  /** The operator's webhook that approval requests are POSTed to, with signed approve / reject links. */
  readonly approvalWebhook: string | undefined
  /** Signs the webhook's body (`X-Ccapi-Signature: sha256=<hex>`) when set. */
  readonly approvalWebhookSecret: string | undefined
  /** How long a call waits for a decision on the page (URL-mode elicitation) or through the webhook. */
  readonly approvalWaitSeconds: number
  /** How long an approval link lives. */
  readonly approvalTtlMinutes: number
  /** Extra default tags from `CCAPI_DEFAULT_TAGS`. */
  readonly extraTags: ReadonlyArray<{ readonly key: string; readonly value: string }>
  readonly disabledGuardrails: ReadonlyArray<string>
  readonly deleteLimit: number | undefined
  readonly mutationWaitSeconds: number
  readonly templateWaitSeconds: number
  /** Where the journal is written; undefined when `CCAPI_JOURNAL=off`. */
  readonly journalPath: string | undefined
  /** Lifetime of workflow tokens (generated code, explained, scan). Environment and credentials tokens live at least an hour. */
  readonly tokenTtlMinutes: number
  /** `CCAPI_STORE_URL`: workflow tokens (and session counters) in this Redis, shared by a fleet; absent: in memory. */
  readonly storeUrl?: string | undefined
  /** `CCAPI_JOURNAL_URL`: the journal in this PostgreSQL, shared by a fleet; absent: the JSONL file (`journalPath`). */
  readonly journalUrl?: string | undefined
}

/** A configuration value the server refuses to start with. The message names the setting and its allowed values. */
export class ConfigProblem extends Schema.TaggedError<ConfigProblem>()("ConfigProblem", {
  message: Schema.String
}) {}

/** What the command line asked for. `help` and `version` short-circuit the server. */
export interface Flags {
  readonly readOnly: boolean
  readonly sandbox: boolean
  readonly help: boolean
  readonly version: boolean
}

const booleanFlags = { readonly: "readOnly", sandbox: "sandbox" } as const

const parseBoolean = (flag: string, raw: string): Result.Result<boolean, ConfigProblem> => {
  const value = raw.trim().toLowerCase()
  if (value === "true") return Result.succeed(true)
  if (value === "false") return Result.succeed(false)
  return Result.fail(
    new ConfigProblem({
      message: `--${flag} takes true or false (or nothing, meaning true); got ${JSON.stringify(raw)}`
    })
  )
}

/** Parses the command line: `--readonly`, `--readonly=true|false`, `--readonly true|false`, `--no-readonly`, the same for `--sandbox`. */
export const parseFlags = (argv: ReadonlyArray<string>): Result.Result<Flags, ConfigProblem> => {
  const flags = { readOnly: false, sandbox: false, help: false, version: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--help" || arg === "-h") {
      flags.help = true
      continue
    }
    if (arg === "--version" || arg === "-v") {
      flags.version = true
      continue
    }
    const match = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(arg)
    const name = match?.[2]
    if (match === null || name === undefined || !(name in booleanFlags)) {
      return Result.fail(
        new ConfigProblem({
          message: `Unknown argument ${JSON.stringify(arg)}. Allowed: --readonly[=true|false], --sandbox[=true|false], --no-readonly, --no-sandbox, --help, --version.`
        })
      )
    }
    const key = booleanFlags[name as keyof typeof booleanFlags]
    if (match[1] !== undefined) {
      if (match[3] !== undefined) {
        return Result.fail(
          new ConfigProblem({
            message: `--no-${name} takes no value (write --${name}=false or --no-${name}); got ${JSON.stringify(arg)}`
          })
        )
      }
      flags[key] = false
      continue
    }
    if (match[3] !== undefined) {
      const parsed = parseBoolean(name, match[3])
      if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
      flags[key] = parsed.success
      continue
    }
    const next = argv[i + 1]
    if (next !== undefined && /^(true|false)$/i.test(next)) {
      flags[key] = next.toLowerCase() === "true"
      i++
      continue
    }
    flags[key] = true
  }
  return Result.succeed(flags)
}

/**
 * A setting's own validation failure, as Effect's `Config` reports it: a `ConfigError` wrapping a `SchemaError` whose
 * issue carries the message (the message names the setting and what it accepts).
 */
const invalid = (message: string) =>
  new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.InvalidValue({ message })))

/** Validates a setting's value: `check` returns the parsed value, or the message to refuse it with. */
const validated = <A, B>(check: (raw: A) => Result.Result<B, string>) =>
  Config.mapEffect((raw: A) => Effect.fromResult(Result.mapError(check(raw), invalid)))

/** An optional string variable; empty or blank counts as unset. */
const optionalString = (name: string) =>
  Config.String(name).pipe(
    Config.withDefault(""),
    Config.map((value) => (value.trim() !== "" ? value.trim() : undefined))
  )

const choice = <const A extends string>(name: string, values: ReadonlyArray<A>, fallback: A) =>
  optionalString(name).pipe(
    validated((raw): Result.Result<A, string> => {
      if (raw === undefined) return Result.succeed(fallback)
      const value = raw.toLowerCase()
      return values.includes(value as A)
        ? Result.succeed(value as A)
        : Result.fail(`${name} must be one of ${values.join(", ")} (any case); got ${JSON.stringify(raw)}`)
    })
  )

const integer = (name: string, options: { readonly min: number; readonly max: number; readonly fallback: number }) =>
  optionalString(name).pipe(
    validated((raw): Result.Result<number, string> => {
      if (raw === undefined) return Result.succeed(options.fallback)
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
      return Number.isSafeInteger(value) && value >= options.min && value <= options.max
        ? Result.succeed(value)
        : Result.fail(
            `${name} must be a whole number from ${options.min} to ${options.max}; got ${JSON.stringify(raw)}`
          )
    })
  )

const logLevels: Record<string, LogLevel.LogLevel> = {
  all: "All",
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  critical: "Fatal",
  fatal: "Fatal",
  off: "None",
  none: "None"
}

const logLevel = Config.all([optionalString("CCAPI_LOG_LEVEL"), optionalString("FASTMCP_LOG_LEVEL")]).pipe(
  validated(([ccapi, fastmcp]): Result.Result<LogLevel.LogLevel, string> => {
    const name = ccapi !== undefined ? "CCAPI_LOG_LEVEL" : "FASTMCP_LOG_LEVEL"
    const raw = ccapi ?? fastmcp
    if (raw === undefined) return Result.succeed("Warn")
    const level = logLevels[raw.toLowerCase()]
    return level !== undefined
      ? Result.succeed(level)
      : Result.fail(
          `${name} must be one of ${Object.keys(logLevels).join(", ")} (any case); got ${JSON.stringify(raw)}`
        )
  })
)

const tagKey = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u
const tagValue = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u

const extraTags = optionalString("CCAPI_DEFAULT_TAGS").pipe(
  validated((raw): Result.Result<ReadonlyArray<{ readonly key: string; readonly value: string }>, string> => {
    if (raw === undefined) return Result.succeed([])
    const tags: Array<{ key: string; value: string }> = []
    for (const pair of raw.split(",")) {
      const at = pair.indexOf("=")
      const key = (at < 0 ? pair : pair.slice(0, at)).trim()
      const value = at < 0 ? undefined : pair.slice(at + 1).trim()
      if (value === undefined || !tagKey.test(key) || !tagValue.test(value) || key.toLowerCase().startsWith("aws:")) {
        return Result.fail(
          `CCAPI_DEFAULT_TAGS must be a comma-separated list of key=value pairs (keys 1-128 and values 0-256 characters of letters, digits, spaces and _.:/=+-@, keys not starting with aws:); the pair ${JSON.stringify(pair)} is not`
        )
      }
      tags.push({ key, value })
    }
    return Result.succeed(tags)
  })
)

const disabledGuardrails = optionalString("CCAPI_DISABLED_GUARDRAILS").pipe(
  validated((raw): Result.Result<ReadonlyArray<string>, string> => {
    if (raw === undefined) return Result.succeed([])
    const ids = raw
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== "")
    const known = guardrailRules.map((rule) => rule.id)
    const bad = ids.find((id) => !known.includes(id))
    return bad === undefined
      ? Result.succeed(ids)
      : Result.fail(
          `CCAPI_DISABLED_GUARDRAILS must be a comma-separated list of guardrail rule ids (${known.join(", ")}); ${JSON.stringify(bad)} is not one`
        )
  })
)

const deleteLimit = optionalString("CCAPI_DELETE_LIMIT").pipe(
  validated((raw): Result.Result<number | undefined, string> => {
    if (raw === undefined || raw.toLowerCase() === "none") return Result.succeed(undefined)
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    return Number.isSafeInteger(value) && value >= 1
      ? Result.succeed(value)
      : Result.fail(`CCAPI_DELETE_LIMIT must be a whole number of 1 or more, or none; got ${JSON.stringify(raw)}`)
  })
)

/** `raw` as a URL, or undefined when it is not one. */
const parseUrl = (raw: string): URL | undefined => URL.parse(raw) ?? undefined

const approvalWebhook = optionalString("CCAPI_APPROVAL_WEBHOOK").pipe(
  validated((raw): Result.Result<string | undefined, string> => {
    if (raw === undefined) return Result.succeed(undefined)
    const url = parseUrl(raw)
    const loopback = url !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)
    return url !== undefined && (url.protocol === "https:" || (url.protocol === "http:" && loopback))
      ? Result.succeed(url.toString())
      : Result.fail(
          `CCAPI_APPROVAL_WEBHOOK must be an https:// URL (http:// only on loopback); got ${JSON.stringify(raw)}`
        )
  })
)

/** The default journal location: `$XDG_STATE_HOME/ccapi-mcp-server` or `~/.local/state/ccapi-mcp-server`. */
export const defaultJournalPath = (env: Readonly<Record<string, string | undefined>>): string => {
  const xdg = env["XDG_STATE_HOME"]
  const base =
    xdg !== undefined && path.isAbsolute(xdg)
      ? xdg
      : path.join(env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : os.homedir(), ".local", "state")
  return path.join(base, "ccapi-mcp-server", "journal.jsonl")
}

const journal = (env: Readonly<Record<string, string | undefined>>) =>
  optionalString("CCAPI_JOURNAL").pipe(
    validated((raw): Result.Result<string | undefined, string> => {
      if (raw === undefined) return Result.succeed(defaultJournalPath(env))
      if (raw.toLowerCase() === "off") return Result.succeed(undefined)
      return path.isAbsolute(raw)
        ? Result.succeed(raw)
        : Result.fail(`CCAPI_JOURNAL must be an absolute file path or off; got ${JSON.stringify(raw)}`)
    })
  )

/** A service URL whose scheme must be one of `schemes`; its password never appears in the error. */
const serviceUrl = (name: string, schemes: ReadonlyArray<string>, example: string) =>
  optionalString(name).pipe(
    validated((raw): Result.Result<string | undefined, string> => {
      if (raw === undefined) return Result.succeed(undefined)
      const parsed = parseUrl(raw)
      return parsed !== undefined && schemes.includes(parsed.protocol.replace(/:$/, "")) && parsed.hostname !== ""
        ? Result.succeed(raw)
        : Result.fail(
            `${name} must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")} (for example ${example}); got ${
              parsed !== undefined
                ? JSON.stringify(`${parsed.protocol}//${parsed.host}${parsed.pathname}`)
                : "something that is not a URL"
            }`
          )
    })
  )

/** The settings from the environment, one `Config` each, so that every invalid one can be reported at once. */
const environment = (env: Readonly<Record<string, string | undefined>>) => ({
  securityScanning: choice("SECURITY_SCANNING", ["enabled", "disabled"], "enabled"),
  defaultTags: choice("DEFAULT_TAGS", ["enabled", "disabled"], "enabled"),
  logLevel,
  approval: choice("CCAPI_APPROVAL", ["auto", "required", "off", "model"], "auto"),
  resultText: choice("CCAPI_RESULT_TEXT", ["summary", "json"], "summary"),
  // `loopback` was its name when the page was served only under stdio, on 127.0.0.1; it still means `on`.
  approvalPage: choice("CCAPI_APPROVAL_PAGE", ["on", "off", "loopback"], "on").pipe(
    Config.map((page) => (page === "off" ? "off" : "on"))
  ),
  approvalWebhook,
  approvalWebhookSecret: optionalString("CCAPI_APPROVAL_WEBHOOK_SECRET"),
  approvalWaitSeconds: integer("CCAPI_APPROVAL_WAIT_SECONDS", { min: 0, max: 3600, fallback: 60 }),
  approvalTtlMinutes: integer("CCAPI_APPROVAL_TTL_MINUTES", { min: 1, max: 60, fallback: 10 }),
  extraTags,
  disabledGuardrails,
  deleteLimit,
  mutationWaitSeconds: integer("CCAPI_MUTATION_WAIT_SECONDS", { min: 0, max: 3600, fallback: 45 }),
  templateWaitSeconds: integer("CCAPI_TEMPLATE_WAIT_SECONDS", { min: 0, max: 3600, fallback: 45 }),
  journalPath: journal(env),
  tokenTtlMinutes: integer("CCAPI_TOKEN_TTL_MINUTES", { min: 1, max: 1440, fallback: 15 }),
  storeUrl: serviceUrl("CCAPI_STORE_URL", ["redis", "rediss"], "redis://127.0.0.1:6379"),
  journalUrl: serviceUrl("CCAPI_JOURNAL_URL", ["postgres", "postgresql"], "postgres://ccapi@127.0.0.1:5432/ccapi")
})

/** What a `ConfigError` says, without its wrapper: the setting's own message, or the schema's or source's. */
export const configErrorMessage = (error: Config.ConfigError): string => error.cause.message

/** Reads flags and environment strictly: every invalid value is reported, naming the setting and what it accepts. */
export const loadConfig = Effect.fn("Config.loadConfig")(function* (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Effect.fn.Return<ServerConfig & { readonly flags: Flags }, ConfigProblem> {
  const flags = yield* Effect.fromResult(parseFlags(argv))
  // `Config.all` stops at the first invalid setting: read each one on its own and report them all.
  const results = yield* Effect.all(environment(env), { mode: "result" }).pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
  )
  const settings = Result.all(results)
  if (Result.isFailure(settings)) {
    const problems = Object.values<Result.Result<unknown, Config.ConfigError>>(results).flatMap((result) =>
      Result.isFailure(result) ? [configErrorMessage(result.failure)] : []
    )
    return yield* new ConfigProblem({ message: problems.join("\n") })
  }
  return { ...settings.success, readOnly: flags.readOnly, sandbox: flags.sandbox, flags }
})
