import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, Schema } from "effect"
import { Journal, JournalEntry } from "@ccapi/core"
import { journalContract } from "@ccapi/testkit/contracts"
import * as JsonlJournal from "../src/JsonlJournal.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ccapi-journal-"))

/** A path whose directory is a regular file: neither the directory nor the file can ever be created. */
const unwritablePath = () => {
  const blocker = path.join(tempDir(), "not-a-directory")
  fs.writeFileSync(blocker, "")
  return path.join(blocker, "journal.jsonl")
}

const readEntries = (file: string) =>
  Effect.sync(() =>
    fs.existsSync(file)
      ? fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => Schema.decodeUnknownSync(JournalEntry)(JSON.parse(line)))
      : []
  )

journalContract("JsonlJournal (a JSON Lines file)", {
  make: () =>
    Effect.gen(function* () {
      const file = path.join(tempDir(), "state", "journal.jsonl")
      return {
        journal: yield* JsonlJournal.make(file),
        entries: readEntries(file),
        reopen: () => JsonlJournal.make(file)
      }
    }),
  unwritable: () => JsonlJournal.make(unwritablePath())
})

const entry = (details: JournalEntry["details"]) =>
  new JournalEntry({ at: "2025-01-01T00:00:00.000Z", event: "mutation_submitted", planHash: "abc", details })

describe("JsonlJournal", () => {
  it.effect("layerOff records nothing and never fails", () =>
    Effect.gen(function* () {
      const journal = yield* Effect.provide(Journal, JsonlJournal.layerOff)
      yield* journal.append(entry({ n: 1 }))
    })
  )

  it.effect("a journal file or directory removed between entries is made again: no entry goes to a deleted file", () =>
    Effect.gen(function* () {
      const dir = path.join(tempDir(), "state")
      const file = path.join(dir, "journal.jsonl")
      const journal = yield* Effect.provide(Journal, JsonlJournal.layer(file))
      yield* journal.append(entry({ n: 1 }))
      fs.rmSync(file)
      yield* journal.append(entry({ n: 2 }))
      assert.deepStrictEqual(
        (yield* readEntries(file)).map((e) => e.details["n"]),
        [2]
      )
      fs.rmSync(dir, { recursive: true })
      yield* journal.append(entry({ n: 3 }))
      assert.deepStrictEqual(
        (yield* readEntries(file)).map((e) => e.details["n"]),
        [3]
      )
      assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o700)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    })
  )

  it.effect("appends one JSON line per entry, creating the directories, the file mode 0600", () =>
    Effect.gen(function* () {
      const file = path.join(tempDir(), "nested", "state", "journal.jsonl")
      const journal = yield* Effect.provide(Journal, JsonlJournal.layer(file))
      yield* journal.append(entry({ requestToken: "req-1", typeName: "AWS::S3::Bucket" }))
      yield* journal.append(entry({ requestToken: "req-2" }))
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n")
      assert.strictEqual(lines.length, 2)
      const first = JSON.parse(lines[0]!) as { event: string; planHash: string; details: { requestToken: string } }
      assert.strictEqual(first.event, "mutation_submitted")
      assert.strictEqual(first.details.requestToken, "req-1")
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    })
  )

  it.effect("never writes workflow token values or credentials, even when a caller passes them", () =>
    Effect.gen(function* () {
      const file = path.join(tempDir(), "journal.jsonl")
      const journal = yield* Effect.provide(Journal, JsonlJournal.layer(file))
      yield* journal.append(
        entry({
          explainedToken: "explained_SECRETSECRET",
          nested: { credentials_token: "credentials_SECRET", secretAccessKey: "AKIA-SECRET" },
          requestToken: "req-9"
        })
      )
      const text = fs.readFileSync(file, "utf8")
      assert.notInclude(text, "SECRET")
      assert.include(text, "req-9")
    })
  )

  it.effect("a write failure is a JournalUnavailable on every append (so no mutation is sent) and is logged once", () =>
    Effect.gen(function* () {
      const file = unwritablePath()
      const logs: Array<string> = []
      const capture = Logger.layer([
        Logger.make(({ message }) => {
          logs.push(String(message))
        })
      ])
      const errors = yield* Effect.gen(function* () {
        const journal = yield* Journal
        return [
          yield* Effect.flip(journal.append(entry({ n: 1 }))),
          yield* Effect.flip(journal.append(entry({ n: 2 })))
        ]
      }).pipe(Effect.provide(JsonlJournal.layer(file)), Effect.provide(capture))
      for (const error of errors) {
        assert.strictEqual(error._tag, "JournalUnavailable")
        assert.include(error.message, "CCAPI_JOURNAL")
        assert.match(error.message, /cannot be written \(E[A-Z]+\)/)
      }
      assert.strictEqual(logs.filter((line) => line.includes("cannot be written")).length, 1)
    })
  )
})
