#!/usr/bin/env node
import { parseArgs } from "node:util"
import { Cause, Effect, Exit } from "effect"
import { start } from "./SandboxServer.js"
import * as StderrLogger from "./StderrLogger.js"

const usage = `Usage: ccapi-sandbox [--port N] [--host 127.0.0.1] [--state FILE] [--delay-ms N] [fault flags]

A local AWS endpoint speaking Cloud Control, CloudFormation (DescribeType, IaC Generator) and STS.
Prints its URL on stdout; point any AWS SDK or CLI at it with AWS_ENDPOINT_URL=<url> (any credentials work).
  --port N       port to listen on (default 0: a free one)
  --host H       loopback address to bind (default 127.0.0.1)
  --state FILE   keep the state in FILE across restarts (written atomically)
  --delay-ms N   how long mutations stay IN_PROGRESS (default 300)
Fault injection (for testing retries and waiting; the same --seed gives the same faults in the same order):
  --throttle-rate R   share of requests (0-1) answered with a throttling error
  --error-rate R      share of requests (0-1) answered with a 5xx internal error
  --drop-rate R       share of requests (0-1) handled, then answered by closing the connection (a lost answer)
  --malformed-rate R  share of requests (0-1) handled, then answered 200 with a body that is not JSON
  --latency-ms N      added latency per request
  --seed N            seed of the fault picker (default 1)`

const fail = (message: string): never => {
  console.error(`ccapi-sandbox: ${message}\n\n${usage}`)
  process.exit(2)
}

const integer = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 ? n : fail(`${name} must be a non-negative integer, got ${value}`)
}

const share = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  return value.trim() !== "" && n >= 0 && n <= 1 ? n : fail(`${name} must be a number from 0 to 1, got ${value}`)
}

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        state: { type: "string" },
        "delay-ms": { type: "string" },
        "throttle-rate": { type: "string" },
        "error-rate": { type: "string" },
        "drop-rate": { type: "string" },
        "malformed-rate": { type: "string" },
        "latency-ms": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" }
      },
      strict: true
    }).values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
})()

if (parsed.help) {
  // Asked-for help is the program's output (stdout); when serving, stdout carries only the URL.
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const waitForSignal = Effect.callback<NodeJS.Signals>((resume) => {
  const on = (signal: NodeJS.Signals) => resume(Effect.succeed(signal))
  process.once("SIGINT", on)
  process.once("SIGTERM", on)
  return Effect.sync(() => {
    process.off("SIGINT", on)
    process.off("SIGTERM", on)
  })
})

const throttleRate = share(parsed["throttle-rate"], "--throttle-rate")
const errorRate = share(parsed["error-rate"], "--error-rate")
const dropAfterRate = share(parsed["drop-rate"], "--drop-rate")
const malformedAfterRate = share(parsed["malformed-rate"], "--malformed-rate")
if ((throttleRate ?? 0) + (errorRate ?? 0) + (dropAfterRate ?? 0) + (malformedAfterRate ?? 0) > 1)
  fail("--throttle-rate, --error-rate, --drop-rate and --malformed-rate together must not exceed 1")
const faults = {
  throttleRate,
  errorRate,
  dropAfterRate,
  malformedAfterRate,
  latencyMs: integer(parsed["latency-ms"], "--latency-ms"),
  seed: integer(parsed.seed, "--seed")
}

const program = Effect.scoped(
  Effect.gen(function* () {
    const sandbox = yield* start({
      port: integer(parsed.port, "--port") ?? 0,
      host: parsed.host ?? "127.0.0.1",
      statePath: parsed.state,
      completionDelayMs: integer(parsed["delay-ms"], "--delay-ms"),
      faults
    })
    process.stdout.write(`${sandbox.url}\n`)
    const signal = yield* waitForSignal
    yield* Effect.logInfo(`sandbox: ${signal} received, stopping`)
  })
).pipe(Effect.provide(StderrLogger.layer()))

Effect.runPromiseExit(program).then((exit) => {
  if (Exit.isFailure(exit)) {
    const failure = Cause.findErrorOption(exit.cause)
    console.error(`ccapi-sandbox: ${failure._tag === "Some" ? failure.value.message : Cause.pretty(exit.cause)}`)
    process.exit(1)
  }
  process.exit(0)
})
