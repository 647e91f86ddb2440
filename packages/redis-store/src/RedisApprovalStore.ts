import { createClient } from "@redis/client"
import {
  ApprovalStore,
  ApprovalStoreMemory,
  type DeleteSlots,
  SharedSessionCounters,
  type SpentToken,
  StoreUnavailable,
  StoredToken,
  type TokenRecord
} from "@ccapi/core"
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import * as Scripts from "./internal/scripts.js"

export interface RedisApprovalStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string
  /** Most records kept; at the bound, expired records go first, then the oldest issued. */
  readonly capacity: number
  /** Prefix of every key, so that several deployments can share one Redis. Default `ccapi:`. */
  readonly keyPrefix?: string
  /** How long one command may take before the store counts as unavailable. Default 2 seconds. */
  readonly commandTimeoutMillis?: number
  /**
   * How long a record stays in Redis past its `expiresAt` (its TTL is the token's lifetime plus this), so that a late
   * use is told "expired" rather than "unknown". Default one hour.
   */
  readonly expiredGraceMillis?: number
}

/** The URL without its password, for messages and logs. */
export const describeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`
  } catch {
    return "the configured Redis URL"
  }
}

const encode = Schema.encodeSync(StoredToken)
const decode = Schema.decodeUnknownExit(Schema.fromJsonString(StoredToken))

/** The redis client of a store, connected (reconnecting in the background) and closed with the scope. */
export const makeClient = (options: Pick<RedisApprovalStoreOptions, "url" | "commandTimeoutMillis">) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const where = describeUrl(options.url)
      const client = createClient({
        url: options.url,
        // A command while disconnected fails at once (StoreUnavailable) instead of waiting in a queue.
        disableOfflineQueue: true,
        socket: {
          connectTimeout: options.commandTimeoutMillis ?? 2000,
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 2000)
        }
      })
      let warned = false
      client.on("error", (error: unknown) => {
        if (warned) return
        warned = true
        Effect.runFork(
          Effect.logWarning(
            `The approval store ${where} cannot be reached (${error instanceof Error ? error.message : String(error)}); workflow steps are refused until it can be, reads keep working. Reconnecting in the background.`
          )
        )
      })
      client.on("ready", () => {
        warned = false
      })
      // Connecting holds the start at most one command timeout: while Redis is away the tools say so, reads work,
      // and the client keeps reconnecting in the background.
      const connected = client.connect().then(
        () => true,
        () => false
      )
      yield* Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.commandTimeoutMillis ?? 2000)
            void connected.then(() => {
              clearTimeout(timer)
              resolve()
            })
          })
      )
      return { client, where }
    }),
    ({ client }) => Effect.sync(() => client.destroy())
  )

/** What the store needs of a client: one command at a time, with a timeout and an abort signal. */
export interface Commands {
  readonly sendCommand: (
    args: ReadonlyArray<string>,
    options: { readonly abortSignal: AbortSignal; readonly timeout: number }
  ) => Promise<unknown>
}

/**
 * The `ApprovalStore` port on Redis, shared by every replica that points at the same Redis: each record is one key
 * whose TTL is the token's expiry plus a grace period, indexed by issue time and expiry in two sorted sets so that
 * the bound holds across replicas; put, take and the bound are Lua scripts, atomic in Redis. Any failure to answer
 * (down, unreachable, timed out) is `StoreUnavailable`: the workflow stops, nothing is sent.
 */
export const make = (options: RedisApprovalStoreOptions) =>
  Effect.gen(function* () {
    const { client, where } = yield* makeClient(options)
    return fromClient(client, where, options)
  })

/** What a record counts against: its kind, or `spent` for a tombstone. */
type Budget = StoredToken["kind"]

const kinds: ReadonlyArray<Budget> = [
  "environment",
  "credentials",
  "generated_code",
  "explained",
  "security_scan",
  "spent"
]

/**
 * The bound, split as core's in-memory store splits it, so every store keeps records by one policy: per-kind budgets
 * when core's store has them (`ApprovalStoreMemory.budgetsFor`: a flood of one kind evicts only that kind), else one
 * budget for all records (expired first, then the least recently used).
 */
const budgetsFor = (capacity: number): { readonly shared: boolean; readonly of: (kind: Budget) => number } => {
  const split = (
    ApprovalStoreMemory as { readonly budgetsFor?: (capacity: number) => Readonly<Record<Budget, number>> }
  ).budgetsFor
  if (split === undefined) return { shared: true, of: () => capacity }
  const budgets = split(capacity)
  return { shared: false, of: (kind) => budgets[kind] }
}

/** The store's operations: the port's, with `spend` (the atomic swap of a live token for its tombstone). */
export interface RedisApprovalStoreService {
  readonly put: (id: string, record: StoredToken) => Effect.Effect<void, StoreUnavailable>
  readonly get: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
  readonly take: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
  readonly spend: (tombstone: SpentToken) => Effect.Effect<Option.Option<TokenRecord>, StoreUnavailable>
  readonly size: Effect.Effect<number, StoreUnavailable>
}

/** The store over an existing client. */
export const fromClient = (
  client: Commands,
  where: string,
  options: RedisApprovalStoreOptions
): RedisApprovalStoreService => {
  const prefix = options.keyPrefix ?? "ccapi:"
  const budgets = budgetsFor(Math.max(1, Math.floor(options.capacity)))
  const timeout = options.commandTimeoutMillis ?? 2000
  const grace = options.expiredGraceMillis ?? 60 * 60_000
  const unavailable = (cause: unknown) =>
    new StoreUnavailable({
      message: `The approval store (Redis at ${where}) cannot answer (${cause instanceof Error ? cause.message || cause.name : String(cause)}). Nothing was changed; reads keep working. Try again shortly; if it persists, ask the operator to check Redis and CCAPI_STORE_URL.`
    })
  const script = (source: string, args: ReadonlyArray<string | number>) =>
    Effect.tryPromise({
      try: (signal) =>
        client.sendCommand(["EVAL", source, "0", ...args.map(String), budgets.shared ? "1" : "0", prefix], {
          abortSignal: signal,
          timeout
        }),
      catch: unavailable
    })
  const decoded = (reply: unknown) => {
    if (reply === null || reply === undefined) return Effect.succeed(Option.none<StoredToken>())
    const exit = decode(typeof reply === "string" ? reply : String(reply))
    return exit._tag === "Success"
      ? Effect.succeed(Option.some(exit.value))
      : Effect.fail(
          new StoreUnavailable({
            message: `The approval store (Redis at ${where}) holds a record this server cannot read (another version of ccapi, or an edited key). Nothing was changed. Start the workflow again; ask the operator to check that every replica runs the same version.`
          })
        )
  }
  const ttl = (record: StoredToken, now: number) => Math.max(1, record.expiresAt - now + grace)
  return {
    put: (id, record) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        script(Scripts.put, [
          id,
          JSON.stringify(encode(record)),
          record.kind,
          record.expiresAt,
          now,
          budgets.of(record.kind),
          ttl(record, now)
        ])
      ).pipe(Effect.asVoid),
    get: (id) => script(Scripts.get, [id]).pipe(Effect.flatMap(decoded)),
    take: (id) => script(Scripts.take, [id]).pipe(Effect.flatMap(decoded)),
    spend: (tombstone) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        script(Scripts.spend, [
          tombstone.id,
          tombstone.of,
          JSON.stringify(encode(tombstone)),
          tombstone.expiresAt,
          now,
          budgets.of("spent"),
          ttl(tombstone, now)
        ])
      ).pipe(
        Effect.flatMap(decoded),
        Effect.map(Option.filter((record): record is TokenRecord => record.kind !== "spent"))
      ),
    size: Effect.flatMap(Clock.currentTimeMillis, (now) => script(Scripts.size, [now, ...kinds])).pipe(
      Effect.map((reply) => Number(reply))
    )
  }
}

/**
 * Each session's delete slots in Redis, under `<prefix>session:<id>:deletes`, so that every replica serving one
 * session counts its deletes together; a counter lives a day after its last reservation. Reserving is one Lua step
 * (of two replicas reserving under a limit of one, exactly one gets the slot); a slot that cannot be given back
 * (Redis down at that moment) stays taken — the limit errs on the side of fewer deletes.
 */
export const sessionCounters = (client: Commands, where: string, options: RedisApprovalStoreOptions) => {
  const prefix = options.keyPrefix ?? "ccapi:"
  const timeout = options.commandTimeoutMillis ?? 2000
  const lifetime = 24 * 60 * 60_000
  const unavailable = (cause: unknown) =>
    new StoreUnavailable({
      message: `The session counters (Redis at ${where}) cannot answer (${cause instanceof Error ? cause.message || cause.name : String(cause)}). Nothing was changed; reads keep working. Try again shortly; if it persists, ask the operator to check Redis and CCAPI_STORE_URL.`
    })
  const run = (source: string, key: string, args: ReadonlyArray<string | number>) =>
    Effect.tryPromise({
      try: (signal) =>
        client.sendCommand(["EVAL", source, "1", key, ...args.map(String)], { abortSignal: signal, timeout }),
      catch: unavailable
    })
  return {
    deleteSlots: (sessionId: string): DeleteSlots => {
      const key = `${prefix}session:${sessionId}:deletes`
      return {
        used: Effect.map(run(Scripts.count, key, []), Number),
        reserve: (limit) =>
          Effect.map(run(Scripts.reserve, key, [limit ?? -1, lifetime]), (reply) => Number(reply) === 1),
        release: run(Scripts.release, key, []).pipe(
          Effect.asVoid,
          Effect.catch((error: StoreUnavailable) =>
            Effect.logWarning(`A delete slot could not be given back (${error.message}); it stays taken.`)
          )
        )
      }
    }
  }
}

/**
 * The Redis store and the session counters on one client, for a fleet: the application's `ApprovalStore` and
 * `SharedSessionCounters`; the client closes with the layer.
 */
export const layerWithSessionCounters = (options: RedisApprovalStoreOptions) =>
  Layer.effectContext(
    Effect.gen(function* () {
      const { client, where } = yield* makeClient(options)
      return Context.make(ApprovalStore, ApprovalStore.of(fromClient(client, where, options))).pipe(
        Context.add(SharedSessionCounters, sessionCounters(client, where, options))
      )
    })
  )

/** The Redis store as the application's `ApprovalStore`; the client closes with the layer. */
export const layer = (options: RedisApprovalStoreOptions) =>
  Layer.effect(
    ApprovalStore,
    Effect.map(make(options), (store) => ApprovalStore.of(store))
  )
