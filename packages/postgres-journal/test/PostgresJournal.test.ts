import { JournalEntry } from "@ccapi/core"
import { journalContract } from "@ccapi/testkit/contracts"
import { freePort, type LocalPostgres, startLocalPostgres } from "@ccapi/testkit/services"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import pg from "pg"
import { PostgresJournal } from "../src/index.js"

// One real PostgreSQL for the whole file, on a random loopback port; each journal under test gets its own table.
let postgres: LocalPostgres
let closedPort: number
beforeAll(async () => {
  postgres = await startLocalPostgres()
  closedPort = await freePort()
}, 60_000)
afterAll(async () => {
  await postgres?.dispose()
})

let tables = 0
const freshTable = () => `journal_test_${++tables}`

journalContract("PostgresJournal on a real PostgreSQL", {
  live: true,
  make: () =>
    Effect.gen(function* () {
      const table = freshTable()
      const journal = yield* PostgresJournal.make({ url: postgres.url, table })
      return { journal, entries: PostgresJournal.readEntries({ url: postgres.url, table }).pipe(Effect.orDie) }
    }),
  // Nothing listens on this port: what a PostgreSQL that is down looks like to the client.
  unwritable: () =>
    PostgresJournal.make({ url: `postgres://ccapi@127.0.0.1:${closedPort}/postgres`, timeoutMillis: 1000 })
})

const entry = (event: JournalEntry["event"], details: Record<string, unknown>) =>
  new JournalEntry({ at: new Date().toISOString(), event, details: details as never, planHash: "h1" })

const sql = async (text: string, values: ReadonlyArray<unknown> = []) => {
  const client = new pg.Client({ connectionString: postgres.url })
  await client.connect()
  try {
    return await client.query(text, values as Array<unknown>)
  } finally {
    await client.end()
  }
}

describe("PostgresJournal beyond the contract", () => {
  it.live("the table is append-only: UPDATE, DELETE and TRUNCATE are refused by the database itself", () =>
    Effect.gen(function* () {
      const table = freshTable()
      const journal = yield* PostgresJournal.make({ url: postgres.url, table })
      yield* journal.append(entry("mutation_intent", { clientToken: "c1" }))
      for (const statement of [`UPDATE ${table} SET event = 'plan'`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const error = yield* Effect.flip(Effect.tryPromise(() => sql(statement)))
        assert.match(String(error.cause), /append-only/, statement)
      }
      const rows = yield* PostgresJournal.readEntries({ url: postgres.url, table })
      assert.strictEqual(rows.length, 1)
      assert.strictEqual(rows[0]?.event, "mutation_intent")
    }).pipe(Effect.scoped)
  )

  it.live("replicas starting together migrate once; their entries land in one table, none lost", () =>
    Effect.gen(function* () {
      const table = freshTable()
      const journals = yield* Effect.all(
        Array.from({ length: 4 }, () => PostgresJournal.make({ url: postgres.url, table }))
      )
      yield* Effect.all(
        journals.flatMap((journal, replica) =>
          Array.from({ length: 10 }, (_, n) => journal.append(entry("plan", { replica, n })))
        ),
        { concurrency: "unbounded" }
      )
      const rows = yield* PostgresJournal.readEntries({ url: postgres.url, table })
      assert.strictEqual(rows.length, 40)
    }).pipe(Effect.scoped)
  )

  it.live("a role that may only INSERT and SELECT can run the server once the table exists", () =>
    Effect.gen(function* () {
      const table = freshTable()
      // The operator (a role that may create tables) migrates once: the first append creates the table.
      const owner = yield* PostgresJournal.make({ url: postgres.url, table })
      yield* owner.append(entry("plan", { by: "owner" }))
      yield* Effect.promise(async () => {
        await sql(`DROP ROLE IF EXISTS ccapi_writer_${tables}`)
        await sql(`CREATE ROLE ccapi_writer_${tables} LOGIN`)
        await sql(`GRANT SELECT, INSERT ON ${table} TO ccapi_writer_${tables}`)
      })
      const url = postgres.url.replace("//ccapi@", `//ccapi_writer_${tables}@`)
      const writer = yield* PostgresJournal.make({ url, table })
      yield* writer.append(entry("mutation_intent", { by: "writer" }))
      const refused = yield* Effect.flip(Effect.tryPromise(() => writerQuery(url, `DELETE FROM ${table}`)))
      assert.match(String(refused.cause), /permission denied/)
      const rows = yield* PostgresJournal.readEntries({ url: postgres.url, table })
      assert.deepStrictEqual(
        rows.map((row) => row.details["by"]),
        ["owner", "writer"]
      )
    }).pipe(Effect.scoped)
  )

  it.live("PostgreSQL stopped: append is JournalUnavailable promptly; restarted: appends are recorded again", () =>
    Effect.gen(function* () {
      const table = freshTable()
      const journal = yield* PostgresJournal.make({ url: postgres.url, table, timeoutMillis: 2000 })
      yield* journal.append(entry("plan", { n: 1 }))
      yield* Effect.promise(() => postgres.stop())
      const started = Date.now()
      const error = yield* Effect.flip(journal.append(entry("mutation_intent", { n: 2 })))
      assert.strictEqual(error._tag, "JournalUnavailable")
      assert.match(error.message, /PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/postgres.*nothing was sent/)
      assert.isBelow(Date.now() - started, 3000)
      yield* Effect.promise(() => postgres.start())
      yield* journal.append(entry("mutation_intent", { n: 3 }))
      const rows = yield* PostgresJournal.readEntries({ url: postgres.url, table })
      assert.deepStrictEqual(
        rows.map((row) => row.details["n"]),
        [1, 3]
      )
    }).pipe(Effect.scoped)
  )
})

const writerQuery = async (url: string, text: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}
