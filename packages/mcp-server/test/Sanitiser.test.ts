import { assert, describe, it } from "@effect/vitest"
import type { ToolResult } from "./support/Clients.js"
import {
  cleanBucket,
  credentials,
  explainCreate,
  readBack,
  unscannedCreate,
  useTestServers
} from "./support/TestServer.js"

/*
 * The one sanitiser on every surface that reaches the model or a person, through the MCP tools: results (text and
 * structured), error messages that echo input, Cloud Control status messages, progress notifications and the
 * approval prompt. The hostile text mixes every class the issue names.
 */

const start = useTestServers()

const HOSTILE =
  "ok\u001b[8mconceal\u001b[0m\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007" +
  "\u200b\u200d\u202e\u2066\ufe0f\u{e0100}\u{e0164}\u{e0041}\u{e007f}\u034f\u115f\u3164\uffa0\u2800" +
  "\u2028\u2029\ue000\u{f0001}\ufdd0\u0007\u0085\u009b2J\r"

/** Anything of the unsafe categories, tab and line feed aside (independent of the implementation). */
const unsafe = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u
const assertClean = (text: string, where: string) => {
  const found = [...text].filter((c) => c !== "\n" && c !== "\t" && unsafe.test(c))
  assert.deepStrictEqual(
    found.map((c) => `U+${c.codePointAt(0)!.toString(16)}`),
    [],
    where
  )
  assert.notInclude(text, "\u001b", where)
}
const everyText = (result: ToolResult): string =>
  result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")

describe("the sanitiser on every surface", () => {
  it("cleans tool results, text and structured, keys included", async () => {
    const t = await start()
    await t.seed("AWS::S3::Bucket", {
      BucketName: "hostile-tags",
      Tags: [{ Key: `owner${HOSTILE}`, Value: `alice${HOSTILE}` }]
    })
    for (const [name, read] of await readBack(t, "hostile-tags")) {
      assertClean(everyText(read.result), `${name} text`)
      assertClean(JSON.stringify(read.result.structuredContent), `${name} structured`)
      assert.include(JSON.stringify(read.result.structuredContent), "okconceallink")
    }
  })

  it("shows hidden characters of echoed input in an error message as escapes", async () => {
    const t = await start()
    const creds = await credentials(t)
    const bad = await t.call("generate_infrastructure_code", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      properties: { [`Bucket\u200bName${HOSTILE}`]: "x" }
    })
    assert.isFalse(bad.ok)
    assert.match(bad.text, /^PropertiesInvalid: /)
    assertClean(everyText(bad.result), "error text")
    assert.include(bad.text, "Bucket\\u200bName")
  })

  it("cleans Cloud Control status messages in results and in progress notifications", async () => {
    const t = await start({
      config: { securityScanning: "disabled" },
      cloud: { completionDelay: "600 millis", failureFor: () => `Access denied ${HOSTILE}` }
    })
    const { args } = await unscannedCreate(t, "status-bucket")
    const progress: Array<string> = []
    const result = await t.client.callTool(
      {
        name: "create_resource",
        arguments: args
      },
      { onprogress: (p) => progress.push(p.message ?? "") }
    )
    const text = everyText(result)
    assert.include(text, "Access denied ok")
    assertClean(text, "status text")
    assertClean(JSON.stringify(result.structuredContent ?? {}), "status structured")
    assert.isAtLeast(progress.length, 1)
    for (const message of progress) assertClean(message, "progress")
    assert.isTrue(
      progress.some((message) => message.includes("Access denied ok")),
      progress.join(" | ")
    )
    const status = await t.call("get_resource_request_status", {
      request_token: (result.structuredContent as { request_token?: string } | undefined)?.request_token ?? ""
    })
    assertClean(everyText(status.result), "request status")
  })

  it("shows the person approving a change its hidden characters as escapes, never raw", async () => {
    const t = await start({ config: { securityScanning: "disabled" }, elicitation: "approve" })
    const creds = await credentials(t)
    const { explainedToken, explained } = await explainCreate(t, creds, {
      ...cleanBucket("approval-bucket"),
      Tags: [{ Key: "owner", Value: `ali\u200bce\u{e0041}${"\u2800"}` }]
    })
    assertClean(String(explained["explanation"]), "explanation")
    assert.include(String(explained["explanation"]), "ali\\u200bce\\udb40\\udc41\\u2800")
    const created = await t.call("create_resource", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      explained_token: explainedToken,
      skip_security_check: true
    })
    assert.isTrue(created.ok, created.text)
    assert.lengthOf(t.elicitations, 1)
    const prompt = t.elicitations[0]!.message
    assertClean(prompt, "approval prompt")
    assert.include(prompt, "ali\\u200bce")
  })
})
