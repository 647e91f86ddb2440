import { assert, describe, it } from "@effect/vitest"
import { countTokens } from "gpt-tokenizer/encoding/o200k_base"
import { useTestServers } from "./support/TestServer.js"

const start = useTestServers()

/*
 * The context a client gives the model for this server's tools: the tools/list answer, counted with OpenAI's o200k_base
 * encoding (issue 17: at most 5,000 tokens). Deterministic: the same tools give the same count.
 */
describe("context cost", () => {
  it("tools/list stays within 5,000 tokens (o200k_base), all 14 tools", async () => {
    const t = await start()
    const { tools } = await t.client.listTools()
    assert.strictEqual(tools.length, 14)
    const tokens = countTokens(JSON.stringify({ tools }))
    const parts = (pick: (tool: (typeof tools)[number]) => unknown) =>
      countTokens(tools.map((tool) => JSON.stringify(pick(tool) ?? "")).join(""))
    const detail = `total ${tokens}: descriptions ${parts((x) => x.description)}, input ${parts((x) => x.inputSchema)}, output ${parts((x) => x.outputSchema)}`
    console.log(detail)
    assert.isAtMost(tokens, 5000, detail)
  })
})
