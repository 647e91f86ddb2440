import pg from "pg"
import { Journal, JournalEntry, JournalUnavailable } from "@ccapi/core"
import { Effect, Layer, Ref, Schema, Semaphore } from "effect"
import { migration } from "./internal/migration.js"

export interface PostgresJournalOptions {
  /** `postgres://user:password@host:port/database` (libpq's query parameters such as `sslmode` work too). */
  readonly url: string
  /** The journal's table (created on first use). Default `ccapi_journal`. */
  readonly table?: string
  /** Applied to each encoded entry before it is written (the server passes its redaction of secret-looking keys). */
  readonly redact?: (encoded: unknown) => unknown
  /** How long connecting and one statement may take before the journal counts as unavailable. Default 5 seconds. */
  readonly timeoutMillis?: number
}

const tablePattern = /^[a-z_][a-z0-9_]{0,62}$/

/** The URL without its password, for messages and logs. */
export const describeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return "the configured PostgreSQL URL"
  }
}

const encode = Schema.encodeSync(JournalEntry)
const decode = Schema.decodeUnknownSync(JournalEntry)

/** An entry as encoded for storage (`intentId` ties a mutation's intent to the rows that close it). */
interface Encoded {
  readonly at: string
  readonly event: string
  readonly planHash?: string
  readonly intentId?: string
  readonly details: unknown
}

interface Row {
  readonly at: string
  readonly event: string
  readonly plan_hash: string | null
  readonly intent_id: string | null
  readonly details: unknown
}

const fromRow = (row: Row): JournalEntry =>
  decode({
    at: row.at,
    event: row.event,
    details: row.details,
    ...(row.plan_hash !== null ? { planHash: row.plan_hash } : {}),
    ...(row.intent_id !== null ? { intentId: row.intent_id } : {})
  })

const reasonOf = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  const message = cause instanceof Error ? cause.message : String(cause)
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message || "no answer"
}

/** The connection pool of a journal, closed with the scope; an idle connection that breaks is not a crash. */
export const makePool = (options: Pick<PostgresJournalOptions, "url" | "timeoutMillis">) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const timeout = options.timeoutMillis ?? 5000
      const pool = new pg.Pool({
        connectionString: options.url,
        max: 4,
        connectionTimeoutMillis: timeout,
        query_timeout: timeout,
        idleTimeoutMillis: 10_000,
        application_name: "ccapi-mcp-server"
      })
      pool.on("error", () => undefined)
      return pool
    }),
    (pool) => Effect.promise(() => pool.end().catch(() => undefined))
  )

/**
 * The `Journal` port on PostgreSQL, shared by every replica: one row per entry in an append-only table (a trigger
 * refuses UPDATE, DELETE and TRUNCATE), created on first use by an idempotent migration under an advisory lock, so
 * replicas starting together create it once. An entry is recorded when its INSERT is committed. Any failure —
 * PostgreSQL down, unreachable, slow, or the table missing and not creatable — is `JournalUnavailable`: the workflow
 * sends no mutation whose intent is not recorded. The server starts while PostgreSQL is down; the first append that
 * finds it up runs the migration.
 */
export const make = (options: PostgresJournalOptions) =>
  Effect.gen(function* () {
    const table = options.table ?? "ccapi_journal"
    if (!tablePattern.test(table)) return yield* Effect.die(`invalid journal table name ${JSON.stringify(table)}`)
    const where = describeUrl(options.url)
    const pool = yield* makePool(options)
    const migrated = yield* Ref.make(false)
    const oneMigration = yield* Semaphore.make(1)
    const warned = yield* Ref.make(false)
    const redact = options.redact ?? ((encoded: unknown) => encoded)

    const unavailable = (cause: unknown) =>
      Effect.andThen(
        Effect.flatMap(Ref.getAndSet(warned, true), (already) =>
          already
            ? Effect.void
            : Effect.logWarning(
                `The journal (PostgreSQL at ${where}) cannot record entries (${reasonOf(cause)}); mutations are refused until it can.`
              )
        ),
        Effect.fail(
          new JournalUnavailable({
            message: `The journal (PostgreSQL at ${where}) cannot record the entry (${reasonOf(cause)}). Every change is recorded before it is sent, so no change can be made until it can be; nothing was sent and reads keep working. Try again shortly; if it persists, ask the operator to check PostgreSQL and CCAPI_JOURNAL_URL.`
          })
        )
      )

    const migrate = Effect.tryPromise({
      try: async () => {
        const client = await pool.connect()
        try {
          await client.query("BEGIN")
          for (const statement of migration(table)) await client.query(statement)
          await client.query("COMMIT")
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined)
          throw error
        } finally {
          client.release()
        }
      },
      catch: (cause) => cause
    })
    const ensureTable = oneMigration.withPermits(1)(
      Effect.flatMap(Ref.get(migrated), (done) =>
        done ? Effect.void : Effect.andThen(migrate, Ref.set(migrated, true))
      )
    )

    const insert = (entry: JournalEntry) => {
      const encoded = redact(encode(entry)) as Encoded
      return Effect.tryPromise({
        try: () =>
          pool.query(`INSERT INTO ${table} (at, event, plan_hash, intent_id, details) VALUES ($1, $2, $3, $4, $5)`, [
            encoded.at,
            encoded.event,
            encoded.planHash ?? null,
            encoded.intentId ?? null,
            JSON.stringify(encoded.details)
          ]),
        catch: (cause) => cause
      })
    }

    // The intents that no later submitted or outcome row of the same intent id closes, in append order.
    const pending = Effect.andThen(
      ensureTable,
      Effect.tryPromise({
        try: () =>
          pool.query<Row>(
            `SELECT i.at, i.event, i.plan_hash, i.intent_id, i.details FROM ${table} i
             WHERE i.event = 'mutation_intent' AND i.intent_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM ${table} c WHERE c.intent_id = i.intent_id AND c.seq > i.seq
                 AND c.event IN ('mutation_submitted', 'mutation_outcome'))
             ORDER BY i.seq`
          ),
        catch: (cause) => cause
      })
    ).pipe(
      Effect.map((result) => result.rows.map(fromRow)),
      Effect.catch(unavailable)
    )

    const service = {
      append: (entry: JournalEntry) =>
        Effect.andThen(ensureTable, insert(entry)).pipe(
          Effect.tap(() => Ref.set(warned, false)),
          Effect.asVoid,
          Effect.catch(unavailable)
        ),
      pendingIntents: pending
    }
    return Journal.of(service)
  })

/** The PostgreSQL journal as the application's `Journal`; its pool closes with the layer. */
export const layer = (options: PostgresJournalOptions) => Layer.effect(Journal, make(options))
/** Every entry of a journal table, in the order recorded (tests, audits, the load test's reconciliation). */
export const readEntries = (options: Pick<PostgresJournalOptions, "url" | "table" | "timeoutMillis">) =>
  Effect.scoped(
    Effect.gen(function* () {
      const table = options.table ?? "ccapi_journal"
      if (!tablePattern.test(table)) return yield* Effect.die(`invalid journal table name ${JSON.stringify(table)}`)
      const pool = yield* makePool(options)
      const result = yield* Effect.tryPromise({
        try: () => pool.query<Row>(`SELECT at, event, plan_hash, intent_id, details FROM ${table} ORDER BY seq`),
        catch: (cause) =>
          new JournalUnavailable({
            message: `The journal (PostgreSQL at ${describeUrl(options.url)}) cannot be read (${reasonOf(cause)}).`
          })
      })
      return result.rows.map(fromRow)
    })
  )
