import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, ManagedRuntime, Random } from "effect"
import { Identity, Journal, JournalEntry, TemplateGenerator, WorkflowSettings } from "@ccapi/core"
import { makeAppLayer } from "../src/AppLayer.js"
import { cryptoRandom } from "../src/CryptoRandom.js"
import { testConfig } from "./support/TestServer.js"

describe("the application layer", () => {
  it("with --sandbox: real adapters against the in-process sandbox, CSPRNG Random, settings and the JSONL journal", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccapi-app-"))
    const journalPath = path.join(dir, "journal.jsonl")
    const runtime = ManagedRuntime.make(
      makeAppLayer(testConfig({ sandbox: true, journalPath, extraTags: [{ key: "team", value: "platform" }] }))
    )
    try {
      const random = await runtime.runPromise(Random.Random)
      assert.strictEqual(random, cryptoRandom)

      const identity = await runtime.runPromise(Effect.flatMap(Identity, (port) => port.whoAmI()))
      assert.strictEqual(identity.credentialSource, "sandbox")
      assert.match(identity.endpoint ?? "", /^http:\/\/127\.0\.0\.1:\d+$/)

      const settings = await runtime.runPromise(WorkflowSettings)
      assert.deepStrictEqual(
        settings.defaultTags.map((tag) => tag.key),
        ["MANAGED_BY", "MCP_SERVER_SOURCE_CODE", "MCP_SERVER_VERSION", "team"]
      )
      assert.strictEqual(settings.tokenTtl.workflow, 15 * 60_000)

      await runtime.runPromise(
        Effect.flatMap(Journal, (journal) =>
          journal.append(new JournalEntry({ at: new Date().toISOString(), event: "plan", details: { ok: true } }))
        )
      )
      assert.include(fs.readFileSync(journalPath, "utf8"), '"event":"plan"')
    } finally {
      await runtime.dispose()
    }
  })

  it("DEFAULT_TAGS=disabled leaves the default tags empty", async () => {
    const runtime = ManagedRuntime.make(makeAppLayer(testConfig({ sandbox: true, defaultTags: "disabled" })))
    try {
      const settings = await runtime.runPromise(WorkflowSettings)
      assert.deepStrictEqual(settings.defaultTags, [])
    } finally {
      await runtime.dispose()
    }
  })

  it("chooses the template generator: the IaC Generator, or templates from reads with --readonly", async () => {
    for (const [readOnly, source] of [
      [false, "iac-generator"],
      [true, "reads"]
    ] as const) {
      const runtime = ManagedRuntime.make(makeAppLayer(testConfig({ sandbox: true, readOnly })))
      try {
        assert.strictEqual((await runtime.runPromise(TemplateGenerator)).source, source)
      } finally {
        await runtime.dispose()
      }
    }
  })
})
