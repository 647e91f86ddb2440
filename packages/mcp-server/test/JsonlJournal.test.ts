import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { Journal, JournalEntry } from "@ccapi/core"
import * as JsonlJournal from "../src/JsonlJournal.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ccapi-journal-"))

const entry = (details: JournalEntry["details"]) =>
  new JournalEntry({ at: "2025-01-01T00:00:00.000Z", event: "mutation_submitted", planHash: "abc", details })

describe("JsonlJournal", () => {
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

  it.effect("a write failure never fails the workflow and is logged once", () =>
    Effect.gen(function* () {
      const blocker = path.join(tempDir(), "not-a-directory")
      fs.writeFileSync(blocker, "")
      const logs: Array<string> = []
      const capture = Logger.layer([
        Logger.make(({ message }) => {
          logs.push(String(message))
        })
      ])
      yield* Effect.gen(function* () {
        const journal = yield* Journal
        yield* journal.append(entry({ n: 1 }))
        yield* journal.append(entry({ n: 2 }))
      }).pipe(Effect.provide(JsonlJournal.layer(path.join(blocker, "journal.jsonl"))), Effect.provide(capture))
      assert.strictEqual(logs.filter((line) => line.includes("cannot be written")).length, 1)
    })
  )
})
