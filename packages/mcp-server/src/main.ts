#!/usr/bin/env node
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Cause, Config, Effect, Exit, ManagedRuntime, Result } from "effect"
import { Identity } from "@ccapi/core"
import { makeAppLayer } from "./AppLayer.js"
import { ConfigProblem, configErrorMessage, loadConfig, type ServerConfig } from "./Config.js"
import { makeServer, serverInfo } from "./Server.js"

// stdout carries JSON-RPC and nothing else: anything that logs through console.log/info/debug goes to stderr.
Object.assign(console, { log: console.error, info: console.error, debug: console.error })

const usage = `Usage: ccapi-mcp-server [--readonly[=true|false]] [--sandbox]

An MCP server (stdio) for the AWS Cloud Control API with an enforced create/update/delete workflow.

  --readonly   no writes at all: create/update/delete are not offered, create_template is served from reads
  --sandbox    run against an in-process local AWS endpoint instead of AWS (nothing reaches your account)

Environment: AWS_PROFILE, AWS_REGION and the AWS SDK's credential chain; SECURITY_SCANNING, DEFAULT_TAGS
(enabled|disabled); CCAPI_LOG_LEVEL / FASTMCP_LOG_LEVEL; CCAPI_APPROVAL (auto|required|off); CCAPI_DEFAULT_TAGS
(k=v,k2=v2); CCAPI_DISABLED_GUARDRAILS; CCAPI_DELETE_LIMIT; CCAPI_MUTATION_WAIT_SECONDS;
CCAPI_TEMPLATE_WAIT_SECONDS; CCAPI_JOURNAL (path|off); CCAPI_TOKEN_TTL_MINUTES; CCAPI_CHECKOV_*.
`

const stderr = (text: string) => process.stderr.write(`${text}\n`)

/** Writes what the server acts as to stderr; never fails, and does not wait long for credentials. */
const startupInfo = (config: ServerConfig) =>
  Effect.gen(function* () {
    const identity = yield* Identity
    const environment = yield* identity.environment
    const who = yield* identity.whoAmI().pipe(Effect.timeout("4 seconds"), Effect.result)
    const account = Result.isSuccess(who)
      ? `account ${who.success.accountId}, auth ${who.success.credentialSource}`
      : `account unknown (${who.failure._tag === "TimeoutError" ? "credentials did not answer in time" : who.failure.message})`
    stderr(
      [
        `${serverInfo.name} ${serverInfo.version}:`,
        config.sandbox ? `SANDBOX at ${environment.endpoint ?? "a local endpoint"} (nothing reaches AWS),` : "",
        `profile ${environment.profile ?? "(default chain)"},`,
        `${account},`,
        `region ${environment.region} (${environment.regionSource}),`,
        `read-only ${config.readOnly ? "ON" : "off"},`,
        `security scanning ${config.securityScanning},`,
        `approval ${config.approval},`,
        `journal ${config.journalPath ?? "off"}`
      ]
        .filter((part) => part !== "")
        .join(" ")
    )
  })

const main = async () => {
  const loaded = await Effect.runPromiseExit(loadConfig(process.argv.slice(2), process.env))
  if (Exit.isFailure(loaded)) {
    const error = Cause.findErrorOption(loaded.cause)
    stderr(
      `${serverInfo.name}: invalid configuration.\n${error._tag === "Some" && error.value instanceof ConfigProblem ? error.value.message : Cause.pretty(loaded.cause)}\nRun with --help for the settings.`
    )
    process.exit(2)
  }
  const config = loaded.value
  if (config.flags.help) {
    process.stdout.write(usage)
    return
  }
  if (config.flags.version) {
    process.stdout.write(`${serverInfo.version}\n`)
    return
  }

  const runtime = ManagedRuntime.make(makeAppLayer(config))
  const built = await Effect.runPromiseExit(runtime.contextEffect)
  if (Exit.isFailure(built)) {
    const error = Cause.findErrorOption(built.cause)
    if (error._tag === "Some" && error.value instanceof Config.ConfigError) {
      stderr(`${serverInfo.name}: invalid configuration.\n${configErrorMessage(error.value)}`)
      process.exit(2)
    }
    stderr(`${serverInfo.name}: could not start.\n${Cause.pretty(built.cause)}`)
    process.exit(1)
  }

  const server = makeServer({
    runtime,
    context: { readOnly: config.readOnly, sandbox: config.sandbox, securityScanning: config.securityScanning }
  })
  let closing: Promise<void> | undefined
  const shutdown = (reason: string) =>
    (closing ??= (async () => {
      stderr(`${serverInfo.name}: shutting down (${reason}).`)
      await server.close().catch(() => undefined)
      await runtime.dispose().catch(() => undefined)
      process.exit(0)
    })())
  process.on("SIGINT", () => void shutdown("SIGINT"))
  process.on("SIGTERM", () => void shutdown("SIGTERM"))
  process.stdin.on("end", () => void shutdown("stdin closed"))
  process.stdin.on("close", () => void shutdown("stdin closed"))

  await server.connect(new StdioServerTransport())
  // A shutdown that comes first interrupts the startup info (disposing the runtime interrupts its fibers): say nothing.
  const info = await runtime.runPromiseExit(startupInfo(config))
  if (Exit.isFailure(info) && !Cause.hasInterruptsOnly(info.cause)) stderr(`startup info: ${Cause.pretty(info.cause)}`)
}

process.on("unhandledRejection", (reason) => stderr(`${serverInfo.name}: unhandled rejection: ${String(reason)}`))

main().catch((error: unknown) => {
  stderr(`${serverInfo.name}: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
