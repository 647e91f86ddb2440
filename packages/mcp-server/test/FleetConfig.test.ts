import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadConfig } from "../src/Config.js"

const load = (env: Record<string, string>) =>
  Effect.runPromise(Effect.result(loadConfig([], { HOME: "/home/u", ...env })))

describe("CCAPI_STORE_URL and CCAPI_JOURNAL_URL", () => {
  it("are unset by default: tokens in memory, the JSONL journal", async () => {
    const result = await load({})
    assert.isTrue(result._tag === "Success")
    if (result._tag !== "Success") return
    assert.isUndefined(result.success.storeUrl)
    assert.isUndefined(result.success.journalUrl)
    assert.match(result.success.journalPath ?? "", /journal\.jsonl$/)
  })

  it("take Redis and PostgreSQL URLs", async () => {
    for (const [store, journal] of [
      ["redis://127.0.0.1:6379", "postgres://ccapi@127.0.0.1:5432/ccapi"],
      ["rediss://user:secret@redis.internal:6380/2", "postgresql://w:secret@db.internal/ccapi?sslmode=require"]
    ] as const) {
      const result = await load({ CCAPI_STORE_URL: store, CCAPI_JOURNAL_URL: journal })
      assert.isTrue(result._tag === "Success", JSON.stringify(result))
      if (result._tag !== "Success") return
      assert.strictEqual(result.success.storeUrl, store)
      assert.strictEqual(result.success.journalUrl, journal)
    }
  })

  it("refuse another scheme or a non-URL, naming the setting and never echoing a password", async () => {
    const result = await load({
      CCAPI_STORE_URL: "http://user:hunter2@redis.internal:6379",
      CCAPI_JOURNAL_URL: "mysql://user:hunter2@db/ccapi"
    })
    assert.isTrue(result._tag === "Failure")
    if (result._tag !== "Failure") return
    const message = result.failure.message
    assert.match(message, /CCAPI_STORE_URL must be a URL starting with redis:\/\/ or rediss:\/\//)
    assert.match(message, /CCAPI_JOURNAL_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//)
    assert.notInclude(message, "hunter2")
    const notUrl = await load({ CCAPI_STORE_URL: "localhost:6379" })
    assert.isTrue(notUrl._tag === "Failure")
  })
})
