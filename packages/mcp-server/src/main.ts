#!/usr/bin/env node
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Cause, Config, Context, Data, Deferred, Duration, Effect, Exit, Layer, Result } from "effect"
import { Identity, InFlight, reconcilePending } from "@ccapi/core"
import { makeAppLayer } from "./AppLayer.js"
import { ConfigProblem, configErrorMessage, loadConfig, type ServerConfig } from "./Config.js"
import * as Drain from "./Drain.js"
import { makeApprovalStateCodec } from "./Elicitation.js"
import { serverInfo } from "./Server.js"
import { parseHttpSettings, type HttpSettings, type RequestStateSettings } from "./http/HttpSettings.js"
import * as Http from "./transports/http.js"
import type { StdioHandoff } from "./transports/HandshakeFront.js"
import * as Stdio from "./transports/stdio.js"

// stdout carries JSON-RPC and nothing else: anything that logs through console.log/info/debug goes to stderr.
Object.assign(console, { log: console.error, info: console.error, debug: console.error })

const usage = `Usage: ccapi-mcp-server [--readonly[=true|false]] [--sandbox] [--http [--host H] [--port N]]

An MCP server (stdio, or Streamable HTTP) for the AWS Cloud Control API with an enforced create/update/delete workflow.

  --readonly   no writes at all: create/update/delete are not offered, create_template is served from reads
  --sandbox    run against an in-process local AWS endpoint instead of AWS (nothing reaches your account)
  --http       serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (default 127.0.0.1:3000); without
               OAuth (CCAPI_OAUTH_ISSUER, CCAPI_OAUTH_AUDIENCE, CCAPI_OAUTH_JWKS_URL) only on loopback

Environment: AWS_PROFILE, AWS_REGION and the AWS SDK's credential chain; SECURITY_SCANNING, DEFAULT_TAGS
(enabled|disabled); CCAPI_LOG_LEVEL / FASTMCP_LOG_LEVEL; CCAPI_APPROVAL (auto|required|off); CCAPI_DEFAULT_TAGS
(k=v,k2=v2); CCAPI_DISABLED_GUARDRAILS; CCAPI_DELETE_LIMIT; CCAPI_MUTATION_WAIT_SECONDS;
CCAPI_TEMPLATE_WAIT_SECONDS; CCAPI_JOURNAL (path|off); CCAPI_TOKEN_TTL_MINUTES; CCAPI_CHECKOV_*;
CCAPI_HANDSHAKE_FRONT=off (the bin then loads the whole server before it answers initialize).
HTTP: CCAPI_OAUTH_ISSUER, CCAPI_OAUTH_AUDIENCE, CCAPI_OAUTH_JWKS_URL, CCAPI_OAUTH_ALGORITHMS; CCAPI_ALLOWED_HOSTS,
CCAPI_ALLOWED_ORIGINS; CCAPI_PUBLIC_URL; CCAPI_HTTP_MAX_BODY_BYTES; CCAPI_DRAIN_SECONDS;
CCAPI_REQUEST_STATE_KEY (required with CCAPI_STORE_URL); CCAPI_HTTP_SESSIONS (auto|stateful|stateless).
`

const stderr = (text: string) => process.stderr.write(`${text}\n`)

/** The bin cannot serve: what to write to stderr, and the exit code (2: the configuration is invalid). */
class StartupFailed extends Data.TaggedError("StartupFailed")<{
  readonly message: string
  readonly exitCode: 1 | 2
}> {}

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
  }).pipe(
    // A shutdown that comes first interrupts the startup info: say nothing then.
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.sync(() => stderr(`startup info: ${Cause.pretty(cause)}`))
    )
  )

const invalidConfiguration = (message: string) =>
  new StartupFailed({ exitCode: 2, message: `invalid configuration.\n${message}\nRun with --help for the settings.` })

/** The transport's settings (`--http` and its environment) and the rest of the command line. */
const transportSettings = Effect.suspend(() => {
  const parsed = parseHttpSettings(process.argv.slice(2), process.env)
  return Result.isSuccess(parsed) ? Effect.succeed(parsed.success) : Effect.fail(invalidConfiguration(parsed.failure))
})

/** The settings from the command line and the environment; invalid ones end the bin with exit code 2. */
const settings = (argv: ReadonlyArray<string>) =>
  loadConfig(argv, process.env).pipe(
    Effect.catchCause((cause) => {
      const error = Cause.findErrorOption(cause)
      return Effect.fail(
        new StartupFailed({
          exitCode: 2,
          message: `invalid configuration.\n${error._tag === "Some" && error.value instanceof ConfigProblem ? error.value.message : Cause.pretty(cause)}\nRun with --help for the settings.`
        })
      )
    })
  )

/** The application's services, built once for the process; an invalid adapter setting is exit code 2 as well. */
const application = (config: ServerConfig) =>
  Layer.build(makeAppLayer(config)).pipe(
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
      const error = Cause.findErrorOption(cause)
      return Effect.fail(
        error._tag === "Some" && error.value instanceof Config.ConfigError
          ? new StartupFailed({ exitCode: 2, message: `invalid configuration.\n${configErrorMessage(error.value)}` })
          : new StartupFailed({ exitCode: 1, message: `could not start.\n${Cause.pretty(cause)}` })
      )
    })
  )

/**
 * The first SIGINT or SIGTERM. The listeners stay until the scope closes, so that a second signal while the server
 * shuts down is ignored rather than killing the process.
 */
const firstSignal = Effect.gen(function* () {
  const received = yield* Deferred.make<NodeJS.Signals>()
  const on = (signal: NodeJS.Signals) => void Deferred.doneUnsafe(received, Effect.succeed(signal))
  yield* Effect.acquireRelease(
    Effect.sync(() => process.on("SIGINT", on).on("SIGTERM", on)),
    () => Effect.sync(() => process.off("SIGINT", on).off("SIGTERM", on))
  )
  return Deferred.await(received)
})

/**
 * How old a pending intent in a journal shared by a fleet (`CCAPI_JOURNAL_URL`) must be before this replica settles
 * it: another live replica may be sending it or waiting for its answer right now. Ten minutes past the longest wait of
 * a mutation (`CCAPI_MUTATION_WAIT_SECONDS`) and the drain: by then its process has recorded an outcome or is gone.
 */
const sharedJournalMinAgeMillis = (config: Pick<ServerConfig, "mutationWaitSeconds">) =>
  (10 * 60 + config.mutationWaitSeconds) * 1000 + Duration.toMillis(Drain.defaultDrainBound)

/**
 * Settles the mutations a previous run left without an outcome (killed while sending): each is sent again with its
 * ClientToken, so its request token is recovered and journaled (see `reconcilePending`). With the JSONL journal, every
 * pending intent (only this process writes it); with a fleet's PostgreSQL journal, only those older than
 * `sharedJournalMinAgeMillis`. Never in read-only mode; never fails the server.
 */
const reconcileAtStart = (config: ServerConfig) =>
  config.readOnly || (config.journalPath === undefined && config.journalUrl === undefined)
    ? Effect.void
    : reconcilePending({
        minAgeMillis: config.journalUrl === undefined ? 0 : sharedJournalMinAgeMillis(config)
      }).pipe(
        Effect.tap((report) =>
          report.pending === 0
            ? Effect.void
            : Effect.sync(() =>
                stderr(
                  `${serverInfo.name}: journal: ${report.pending} mutation(s) in the journal had no outcome (${report.settled.filter((s) => s.as === "unknown").length} left open for a later start); ${report.settled
                    .map((s) => `${s.clientToken.slice(0, 12)}… ${s.as}`)
                    .join(", ")}.`
                )
              )
        ),
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.void
            : Effect.sync(() => stderr(`${serverInfo.name}: journal reconciliation failed: ${Cause.pretty(cause)}`))
        )
      )

/**
 * Serves MCP over stdio until stdin ends or a signal comes; then waits (at most `Drain.defaultDrainBound`) for the
 * mutations in flight to reach their outcome record, and the scope closes what was opened, in reverse: the startup
 * info if still running, the session's server, the application (the sandbox, the journal).
 */
const serve = (
  config: ServerConfig,
  transport: { readonly http: HttpSettings | undefined; readonly requestState: RequestStateSettings },
  handoff: StdioHandoff | undefined
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const signal = yield* firstSignal
      const drain = Drain.make()
      const reason = yield* Effect.raceFirst(
        Effect.gen(function* () {
          const app = Context.add(yield* application(config), InFlight, drain.registry)
          yield* Effect.forkScoped(startupInfo(config).pipe(Effect.provide(app)))
          yield* Effect.forkScoped(drain.registry.track(reconcileAtStart(config)).pipe(Effect.provide(app)))
          const server = {
            context: { readOnly: config.readOnly, sandbox: config.sandbox, securityScanning: config.securityScanning },
            approvalState: makeApprovalStateCodec({
              key: transport.requestState.key,
              ttlSeconds: config.tokenTtlMinutes * 60
            })
          }
          if (transport.http !== undefined) {
            const http = transport.http
            yield* Http.serve({
              ...server,
              settings: http,
              onListening: (listening) =>
                stderr(
                  `${serverInfo.name}: listening on ${listening.url} (${http.oauth === undefined ? "no authentication: loopback only" : `OAuth: tokens of ${http.oauth.issuer} for ${http.oauth.audience}`})`
                )
            }).pipe(Effect.provide(app))
          }
          return yield* Stdio.serve({ ...server, handoff }).pipe(Effect.provide(app))
        }),
        signal
      )
      if (drain.inFlight() > 0) {
        stderr(`${serverInfo.name}: ${reason}; waiting for ${drain.inFlight()} mutation(s) in flight to be recorded.`)
        const left = yield* drain.drain(Drain.defaultDrainBound)
        if (left > 0)
          stderr(
            `${serverInfo.name}: ${left} mutation(s) still waiting for Cloud Control; their request tokens are in the journal.`
          )
      }
      stderr(`${serverInfo.name}: shutting down (${reason}).`)
    })
  )

const program = (handoff: StdioHandoff | undefined) =>
  Effect.gen(function* () {
    const transport = yield* transportSettings
    const config = yield* settings(transport.rest)
    if (config.flags.help || config.flags.version) {
      process.stdout.write(config.flags.help ? usage : `${serverInfo.version}\n`)
      return "printed" as const
    }
    yield* serve(config, transport, handoff)
    return "served" as const
  })

/**
 * Runs the server until it is done, then ends the process. `handoff`: the connection the bin's handshake front opened
 * (see transports/HandshakeFront.ts); the bin calls this, and `node dist/main.js` runs it without one.
 */
export const start = (handoff?: StdioHandoff) => {
  process.on("unhandledRejection", (reason) => stderr(`${serverInfo.name}: unhandled rejection: ${String(reason)}`))

  void Effect.runPromiseExit(program(handoff)).then((exit) => {
    if (Exit.isSuccess(exit)) {
      // Help and version end on their own once stdout is flushed; a server leaves handles open (stdin, sockets).
      if (exit.value === "served") process.exit(0)
      return
    }
    const failure = Cause.findErrorOption(exit.cause)
    if (failure._tag === "Some") {
      stderr(`${serverInfo.name}: ${failure.value.message}`)
      process.exit(failure.value.exitCode)
    }
    stderr(`${serverInfo.name}: fatal: ${Cause.pretty(exit.cause)}`)
    process.exit(1)
  })
}

/** Whether this module is the process's entry (`node dist/main.js`), rather than imported by the bin. */
const isEntry = () => {
  const entry = process.argv[1]
  if (entry === undefined) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntry()) start()
