import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Result } from "effect"
import { configErrorMessage, defaultJournalPath, loadConfig, parseFlags } from "../src/Config.js"

const env = (vars: Record<string, string> = {}) => ({ HOME: "/home/u", ...vars })

describe("flags", () => {
  const table: ReadonlyArray<readonly [ReadonlyArray<string>, boolean, boolean]> = [
    [[], false, false],
    [["--readonly"], true, false],
    [["--readonly=true"], true, false],
    [["--readonly=false"], false, false],
    [["--readonly", "true"], true, false],
    [["--readonly", "false"], false, false],
    [["--readonly", "TRUE"], true, false],
    [["--readonly", "--sandbox"], true, true],
    [["--no-readonly"], false, false],
    [["--sandbox"], false, true],
    [["--sandbox=false", "--readonly"], true, false]
  ]
  for (const [argv, readOnly, sandbox] of table) {
    it(`${JSON.stringify(argv)} → readOnly ${readOnly}, sandbox ${sandbox}`, () => {
      const flags = Result.getOrThrow(parseFlags(argv))
      assert.strictEqual(flags.readOnly, readOnly)
      assert.strictEqual(flags.sandbox, sandbox)
    })
  }

  for (const argv of [["--readonly=yes"], ["--read-only"], ["--port", "3"], ["stdio"], ["--no-readonly=true"]]) {
    it(`refuses ${JSON.stringify(argv)} naming the argument and what is allowed`, () => {
      const result = parseFlags(argv)
      assert.isTrue(Result.isFailure(result))
      const message = Result.isFailure(result) ? result.failure.message : ""
      assert.include(message, argv[0]!.split("=")[0]!)
      assert.match(message, /true|false|Allowed/)
    })
  }
})

describe("environment", () => {
  it.effect("defaults: scanning and tags enabled, warn level, approval auto, journal under ~/.local/state", () =>
    Effect.gen(function* () {
      const config = yield* loadConfig([], env())
      assert.strictEqual(config.securityScanning, "enabled")
      assert.strictEqual(config.defaultTags, "enabled")
      assert.strictEqual(config.logLevel, "Warn")
      assert.strictEqual(config.approval, "auto")
      assert.strictEqual(config.journalPath, "/home/u/.local/state/ccapi-mcp-server/journal.jsonl")
      assert.strictEqual(config.deleteLimit, undefined)
      assert.deepStrictEqual(config.extraTags, [])
    })
  )

  const accepted: ReadonlyArray<
    readonly [Record<string, string>, (c: Effect.Success<ReturnType<typeof loadConfig>>) => unknown, unknown]
  > = [
    [{ SECURITY_SCANNING: "DISABLED" }, (c) => c.securityScanning, "disabled"],
    [{ SECURITY_SCANNING: "Enabled" }, (c) => c.securityScanning, "enabled"],
    [{ DEFAULT_TAGS: "disabled" }, (c) => c.defaultTags, "disabled"],
    [{ FASTMCP_LOG_LEVEL: "DEBUG" }, (c) => c.logLevel, "Debug"],
    [{ FASTMCP_LOG_LEVEL: "debug", CCAPI_LOG_LEVEL: "error" }, (c) => c.logLevel, "Error"],
    [{ CCAPI_APPROVAL: "Required" }, (c) => c.approval, "required"],
    [{ CCAPI_APPROVAL: "MODEL" }, (c) => c.approval, "model"],
    [{}, (c) => c.resultText, "summary"],
    [{ CCAPI_RESULT_TEXT: "JSON" }, (c) => c.resultText, "json"],
    [{}, (c) => c.approvalPage, "on"],
    [{ CCAPI_APPROVAL_PAGE: "off" }, (c) => c.approvalPage, "off"],
    [{ CCAPI_APPROVAL_PAGE: "Loopback" }, (c) => c.approvalPage, "on"],
    [
      { CCAPI_APPROVAL_WEBHOOK: "https://hooks.example.com/ccapi" },
      (c) => c.approvalWebhook,
      "https://hooks.example.com/ccapi"
    ],
    [{ CCAPI_APPROVAL_WAIT_SECONDS: "0" }, (c) => c.approvalWaitSeconds, 0],
    [{ CCAPI_APPROVAL_TTL_MINUTES: "5" }, (c) => c.approvalTtlMinutes, 5],
    [
      { CCAPI_DEFAULT_TAGS: "team=platform, cost-center=42" },
      (c) => c.extraTags,
      [
        { key: "team", value: "platform" },
        { key: "cost-center", value: "42" }
      ]
    ],
    [
      { CCAPI_DISABLED_GUARDRAILS: "rds-public,encryption-disabled" },
      (c) => c.disabledGuardrails,
      ["rds-public", "encryption-disabled"]
    ],
    [{ CCAPI_DELETE_LIMIT: "3" }, (c) => c.deleteLimit, 3],
    [{ CCAPI_MUTATION_WAIT_SECONDS: "0" }, (c) => c.mutationWaitSeconds, 0],
    [{ CCAPI_TEMPLATE_WAIT_SECONDS: "120" }, (c) => c.templateWaitSeconds, 120],
    [{ CCAPI_JOURNAL: "off" }, (c) => c.journalPath, undefined],
    [{ CCAPI_JOURNAL: "/tmp/j.jsonl" }, (c) => c.journalPath, "/tmp/j.jsonl"],
    [{ XDG_STATE_HOME: "/state" }, (c) => c.journalPath, "/state/ccapi-mcp-server/journal.jsonl"],
    [{ CCAPI_TOKEN_TTL_MINUTES: "5" }, (c) => c.tokenTtlMinutes, 5],
    [{ SECURITY_SCANNING: "" }, (c) => c.securityScanning, "enabled"]
  ]
  for (const [vars, pick, expected] of accepted) {
    it.effect(`accepts ${JSON.stringify(vars)}`, () =>
      Effect.map(loadConfig([], env(vars)), (config) => assert.deepStrictEqual(pick(config), expected))
    )
  }

  const refused: ReadonlyArray<readonly [Record<string, string>, string, string]> = [
    [{ SECURITY_SCANNING: "off" }, "SECURITY_SCANNING", "enabled, disabled"],
    [{ SECURITY_SCANNING: "true" }, "SECURITY_SCANNING", "enabled, disabled"],
    [{ DEFAULT_TAGS: "no" }, "DEFAULT_TAGS", "enabled, disabled"],
    [{ FASTMCP_LOG_LEVEL: "loud" }, "FASTMCP_LOG_LEVEL", "debug"],
    [{ CCAPI_LOG_LEVEL: "verbose" }, "CCAPI_LOG_LEVEL", "warn"],
    [{ CCAPI_APPROVAL: "sometimes" }, "CCAPI_APPROVAL", "auto, required, off, model"],
    [{ CCAPI_RESULT_TEXT: "text" }, "CCAPI_RESULT_TEXT", "summary, json"],
    [{ CCAPI_APPROVAL_PAGE: "public" }, "CCAPI_APPROVAL_PAGE", "on, off, loopback"],
    [{ CCAPI_APPROVAL_WEBHOOK: "http://hooks.example.com/x" }, "CCAPI_APPROVAL_WEBHOOK", "https://"],
    [{ CCAPI_APPROVAL_WEBHOOK: "not a url" }, "CCAPI_APPROVAL_WEBHOOK", "https://"],
    [{ CCAPI_APPROVAL_TTL_MINUTES: "0" }, "CCAPI_APPROVAL_TTL_MINUTES", "1 to 60"],
    [{ CCAPI_DEFAULT_TAGS: "team" }, "CCAPI_DEFAULT_TAGS", "key=value"],
    [{ CCAPI_DEFAULT_TAGS: "aws:x=1" }, "CCAPI_DEFAULT_TAGS", "aws:"],
    [{ CCAPI_DISABLED_GUARDRAILS: "no-such-rule" }, "CCAPI_DISABLED_GUARDRAILS", "iam-admin-wildcard"],
    [{ CCAPI_DELETE_LIMIT: "0" }, "CCAPI_DELETE_LIMIT", "1 or more"],
    [{ CCAPI_DELETE_LIMIT: "many" }, "CCAPI_DELETE_LIMIT", "none"],
    [{ CCAPI_MUTATION_WAIT_SECONDS: "-1" }, "CCAPI_MUTATION_WAIT_SECONDS", "0 to 3600"],
    [{ CCAPI_TEMPLATE_WAIT_SECONDS: "1.5" }, "CCAPI_TEMPLATE_WAIT_SECONDS", "whole number"],
    [{ CCAPI_JOURNAL: "relative/path" }, "CCAPI_JOURNAL", "absolute"],
    [{ CCAPI_TOKEN_TTL_MINUTES: "0" }, "CCAPI_TOKEN_TTL_MINUTES", "1 to 1440"]
  ]
  for (const [vars, setting, allowed] of refused) {
    it.effect(`refuses ${JSON.stringify(vars)}, naming ${setting} and its allowed values`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(loadConfig([], env(vars)))
        assert.strictEqual(error._tag, "ConfigProblem")
        assert.include(error.message, setting)
        assert.include(error.message, allowed)
      })
    )
  }

  it.effect("reports every invalid setting at once", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadConfig([], env({ SECURITY_SCANNING: "x", CCAPI_APPROVAL: "y" })))
      assert.include(error.message, "SECURITY_SCANNING")
      assert.include(error.message, "CCAPI_APPROVAL")
    })
  )

  it.effect("says exactly what each setting's check says, one setting a line", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadConfig([], env({ SECURITY_SCANNING: "x", CCAPI_APPROVAL: "y" })))
      assert.strictEqual(
        error.message,
        'SECURITY_SCANNING must be one of enabled, disabled (any case); got "x"\nCCAPI_APPROVAL must be one of auto, required, off, model (any case); got "y"'
      )
    })
  )

  it.effect("an adapter's ConfigError reads as its schema's message, naming the variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Config.Int("CCAPI_CHECKOV_TIMEOUT").parse(ConfigProvider.fromEnvRecord({ CCAPI_CHECKOV_TIMEOUT: "soon" }))
      )
      const text = configErrorMessage(error)
      assert.include(text, "CCAPI_CHECKOV_TIMEOUT")
      assert.notInclude(text, "SchemaError(")
    })
  )

  it("ignores a relative XDG_STATE_HOME, as the XDG spec says", () => {
    assert.strictEqual(
      defaultJournalPath({ HOME: "/h", XDG_STATE_HOME: "rel" }),
      "/h/.local/state/ccapi-mcp-server/journal.jsonl"
    )
  })
})
