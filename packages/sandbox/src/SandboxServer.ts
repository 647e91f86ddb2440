import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { Duration, Effect, Exit, Fiber, Layer, Option, Schedule, Schema, Scope, Semaphore } from "effect"
import { BundledSchemas, MemoryCloud, MemoryTemplateGenerator } from "@ccapi/memory-cloud"
import { type CloudControl, type Region, type ResourceSchemas, TemplateGenerator, typeName } from "@ccapi/core"
import { dispatch } from "./internal/Dispatch.js"
import { type FaultOptions, makeFaults } from "./internal/Faults.js"
import { Registry, RegistryData, type TemplateRecord } from "./internal/Registry.js"
import { makeResourceScans } from "./internal/ResourceScans.js"
import { readIfExists, removeLeftovers, writeAtomically } from "./internal/StateFile.js"
import { newRequestId, type WireRequest } from "./internal/wire.js"
import { SandboxState } from "./SandboxState.js"
import * as StderrLogger from "./StderrLogger.js"

export type { FaultOptions } from "./internal/Faults.js"

/** How to run a sandbox endpoint. */
export interface SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** Loopback address to bind; only 127.0.0.1, ::1 and localhost are accepted. */
  readonly host?: string | undefined
  /** Keep the state in this file (written atomically after changes) instead of only in memory. */
  readonly statePath?: string | undefined
  /** How long a mutation stays IN_PROGRESS before it completes. */
  readonly completionDelayMs?: number | undefined
  /** How long a resource scan stays IN_PROGRESS (default: the completion delay). */
  readonly scanDurationMs?: number | undefined
  /** Throttling, 5xx, latency, and answers dropped or garbled after acting, on a share of requests. */
  readonly faults?: FaultOptions | undefined
}

/** A running sandbox endpoint. */
export interface Sandbox {
  /** `http://127.0.0.1:<port>`: pass it as the SDK's `endpoint` or as `AWS_ENDPOINT_URL`. */
  readonly url: string
  readonly port: number
  /** Stop accepting requests, save the state (with `statePath`) and close. Safe to call more than once. */
  readonly stop: () => Promise<void>
}

/** The sandbox could not start: a port in use, a non-loopback host, an unreadable state file. */
export class SandboxStartFailed extends Schema.TaggedError<SandboxStartFailed>()("SandboxStartFailed", {
  message: Schema.String
}) {}

export const DEFAULT_COMPLETION_DELAY_MS = 300
const MAX_BODY_BYTES = 16 * 1024 * 1024
const LOOPBACK: ReadonlySet<string> = new Set(["127.0.0.1", "::1", "localhost"])
const STATE_VERSION = 1

const StateFileContent = Schema.Struct({
  version: Schema.Literal(STATE_VERSION),
  cloud: Schema.Unknown,
  sandbox: RegistryData
})

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

/** Load the state file into the ports and the registry; a missing file is an empty start. */
const restoreState = Effect.fn("SandboxServer.restoreState")(function* (path: string, registry: Registry) {
  const state = yield* Effect.serviceOption(SandboxState)
  const text = yield* Effect.tryPromise({
    try: () => readIfExists(path),
    catch: (cause) =>
      new SandboxStartFailed({ message: `Cannot read the sandbox state file ${path}: ${String(cause)}.` })
  })
  yield* Effect.tryPromise({ try: () => removeLeftovers(path), catch: () => undefined }).pipe(Effect.ignore)
  if (text === undefined) return
  const unreadable = (why: string) =>
    new SandboxStartFailed({
      message: `The sandbox state file ${path} is not usable (${why}). Move it away to start empty, or restore a backup.`
    })
  const parsed = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => unreadable("not JSON") })
  const content = yield* Schema.decodeUnknownEffect(StateFileContent)(parsed).pipe(
    Effect.mapError(() => unreadable(`not a version ${STATE_VERSION} sandbox state`))
  )
  if (Option.isSome(state)) {
    yield* state.value.restore(content.cloud).pipe(Effect.mapError((error) => unreadable(error.message)))
  }
  // Generated templates live in the TemplateGenerator, which keeps no state of its own: start each one again.
  const generator = yield* TemplateGenerator
  const templates: Array<TemplateRecord> = []
  for (const record of content.sandbox.templates) {
    const started = yield* generator
      .start({
        region: record.region as Region,
        templateName: record.name,
        resources: record.resources.map((r) => ({ typeName: typeName(r.typeName), identifier: r.identifier })),
        deletionPolicy: record.deletionPolicy,
        updateReplacePolicy: record.updateReplacePolicy
      })
      .pipe(Effect.option)
    if (Option.isSome(started)) templates.push({ ...record, templateId: started.value.templateId })
  }
  registry.replace({ requests: content.sandbox.requests, templates })
})

/**
 * Serve the Cloud Control, CloudFormation and STS wire protocols over HTTP on a loopback port, answering through
 * whatever `CloudControl`, `ResourceSchemas` and `TemplateGenerator` are in context (and `SandboxState`, if present,
 * for `statePath`). The server closes, and the state is saved, when the scope closes.
 */
export const serve = Effect.fn("SandboxServer.serve")(function* (options: SandboxOptions = {}) {
  const host = options.host ?? "127.0.0.1"
  if (!LOOPBACK.has(host))
    return yield* new SandboxStartFailed({
      message: `The sandbox binds loopback only (127.0.0.1, ::1 or localhost), not ${host}: it accepts any credentials.`
    })
  const faults = yield* Effect.try({
    try: () => makeFaults(options.faults),
    catch: (cause) => new SandboxStartFailed({ message: String(cause) })
  })
  const completionDelayMs = options.completionDelayMs ?? DEFAULT_COMPLETION_DELAY_MS
  const registry = new Registry()
  registry.scans = makeResourceScans(options.scanDurationMs ?? options.completionDelayMs ?? DEFAULT_COMPLETION_DELAY_MS)
  const state = yield* Effect.serviceOption(SandboxState)
  const statePath = options.statePath
  if (statePath !== undefined) yield* restoreState(statePath, registry)

  // ── saving ──────────────────────────────────────────────────────────────────
  let lastSaved: string | undefined
  let activeUntil = 0
  // One save at a time, each from a fresh snapshot: the last one to finish holds the newest state.
  const saving = yield* Semaphore.make(1)
  const save = Effect.gen(function* () {
    if (statePath === undefined) return
    const cloud = Option.isSome(state) ? yield* state.value.snapshot : null
    const text = JSON.stringify({ version: STATE_VERSION, cloud, sandbox: registry.toJSON() })
    if (text === lastSaved) return
    yield* Effect.tryPromise(() => writeAtomically(statePath, text)).pipe(
      Effect.tap(() => Effect.sync(() => (lastSaved = text))),
      Effect.catchTag("UnknownError", (error) =>
        Effect.logWarning(`sandbox: could not save the state to ${statePath}: ${String(error.cause)}`)
      )
    )
  }).pipe(saving.withPermits(1))
  // Mutations complete in the background: keep saving what changes until a while after the last one.
  const markChanged = () => (activeUntil = Date.now() + completionDelayMs + 1_000)
  if (statePath !== undefined) {
    yield* Effect.forkScoped(
      Effect.suspend(() => (Date.now() <= activeUntil ? save : Effect.void)).pipe(
        Effect.repeat(Schedule.spaced(Duration.millis(50)))
      )
    )
  }

  // ── serving ─────────────────────────────────────────────────────────────────
  const services = yield* Effect.context<CloudControl | ResourceSchemas | TemplateGenerator>()
  const runFork = Effect.runForkWith(services)
  const handle = (request: WireRequest) =>
    Effect.gen(function* () {
      if (faults.latencyMs > 0) yield* Effect.sleep(Duration.millis(faults.latencyMs))
      const fault = faults.next()
      const handled = yield* dispatch(request, registry, fault)
      if (handled.mutated) markChanged()
      yield* Effect.logDebug(`sandbox: ${handled.operation} → ${handled.response.status}`)
      // Faults after acting: the request was handled (a mutation applied), and its answer is lost or unreadable.
      if (fault === "drop-after") return "drop" as const
      if (fault === "malformed-after")
        return { ...handled.response, status: 200, body: "<html><body>502 Bad Gateway</body></html>" }
      return handled.response
    })

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req).then(
      (body) => {
        const fiber = runFork(
          handle({
            method: req.method ?? "GET",
            path: req.url ?? "/",
            headers: req.headers,
            body,
            requestId: newRequestId()
          })
        )
        res.on("close", () => {
          if (!res.writableFinished) runFork(Fiber.interrupt(fiber))
        })
        fiber.addObserver((exit) => {
          if (res.headersSent || res.destroyed) return
          const answer = Exit.isSuccess(exit) ? exit.value : undefined
          if (answer === "drop") {
            res.socket?.destroy()
          } else if (answer !== undefined) {
            res.writeHead(answer.status, {
              ...answer.headers,
              "content-length": Buffer.byteLength(answer.body)
            })
            res.end(answer.body)
          } else {
            res.writeHead(500).end()
          }
        })
      },
      () => {
        if (!res.headersSent) res.writeHead(413).end()
      }
    )
  }

  const server = createServer({ keepAlive: true }, onRequest)
  const port = yield* Effect.callback<number, SandboxStartFailed>((resume) => {
    const onError = (error: NodeJS.ErrnoException) =>
      resume(
        Effect.fail(
          new SandboxStartFailed({
            message:
              error.code === "EADDRINUSE"
                ? `Port ${String(options.port)} on ${host} is in use; pick another port or 0 for a free one.`
                : `The sandbox could not listen on ${host}:${String(options.port ?? 0)}: ${error.message}`
          })
        )
      )
    server.once("error", onError)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError)
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

  let stopping: Promise<void> | undefined
  const close = Effect.callback<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  }).pipe(Effect.andThen(save), Effect.withSpan("SandboxServer.close"))
  const stop = (): Promise<void> => (stopping ??= Effect.runPromiseWith(services)(close))
  yield* Effect.addFinalizer(() => Effect.promise(stop))
  yield* Effect.logInfo(`sandbox: listening on ${url}${statePath !== undefined ? `, state in ${statePath}` : ""}`)
  return { url, port, stop } satisfies Sandbox
})

/** The tags `serve` answers through; provide them to run a sandbox over other implementations of the ports. */
export type SandboxPorts = CloudControl | ResourceSchemas | TemplateGenerator

/** The in-memory backend: `@ccapi/memory-cloud`'s cloud and template generator over the bundled provider schemas. */
export const layerMemory = (
  options: { readonly completionDelayMs?: number | undefined } = {}
): Layer.Layer<SandboxPorts | SandboxState> => {
  const completionDelay = Duration.millis(options.completionDelayMs ?? DEFAULT_COMPLETION_DELAY_MS)
  const cloud = MemoryCloud.layerMemory({ completionDelay })
  const state = Layer.effect(
    SandboxState,
    Effect.map(MemoryCloud.MemoryCloud, (memory) =>
      SandboxState.of({ snapshot: memory.snapshot(), restore: memory.restore, resources: memory.resources })
    )
  )
  const templates = MemoryTemplateGenerator.layerMemory({ completionDelay })
  return Layer.mergeAll(Layer.provideMerge(Layer.merge(templates, state), cloud), BundledSchemas.layerMemory)
}

/**
 * Start a sandbox backed by the in-memory cloud of `@ccapi/memory-cloud` (validation against the bundled provider
 * schemas, the IN_PROGRESS → SUCCESS/FAILED lifecycle, idempotency, paging). It runs until `stop` or the scope closes.
 */
export const start = (options: SandboxOptions = {}): Effect.Effect<Sandbox, SandboxStartFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(layerMemory(options))
    return yield* serve(options).pipe(Effect.provide(context))
  })

/** `start` for callers outside Effect (tests, scripts, benchmarks): resolves once listening; logs go to stderr. */
export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(
    start(options).pipe(Scope.provide(scope), Effect.provide(StderrLogger.layer()))
  )
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    return Effect.runPromise(exit)
  }
  let closed: Promise<void> | undefined
  return {
    ...exit.value,
    stop: () => (closed ??= exit.value.stop().then(() => Effect.runPromise(Scope.close(scope, Exit.void))))
  }
}
