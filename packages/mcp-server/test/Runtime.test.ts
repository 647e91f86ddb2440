import { assert, describe, it } from "@effect/vitest"
import { stopsPolling, unscannedCreate, useTestServers } from "./support/TestServer.js"

/*
 * How tool calls run: progress notifications, cancellation through the request's abort signal, defects.
 */

const start = useTestServers()

describe("running tool calls", () => {
  it("sends MCP progress notifications while a mutation is in progress, when the client asked for them", async () => {
    const t = await start({ config: { securityScanning: "disabled" }, cloud: { completionDelay: "1200 millis" } })
    const { args } = await unscannedCreate(t, "slow-bucket")
    const progress: Array<{ progress: number; message?: string | undefined }> = []
    const result = await t.client.callTool(
      {
        name: "create_resource",
        arguments: args
      },
      { onprogress: (p) => progress.push(p) }
    )
    assert.notStrictEqual(result.isError, true)
    assert.strictEqual((result.structuredContent as { status: string }).status, "SUCCESS")
    assert.isAtLeast(progress.length, 1)
    assert.include(progress[0]!.message, "IN_PROGRESS")
    assert.include(progress[0]!.message, "AWS::S3::Bucket")
    for (let i = 1; i < progress.length; i++) assert.isAbove(progress[i]!.progress, progress[i - 1]!.progress)
  })

  it("a mutation that outlasts the wait returns IN_PROGRESS with its request token to follow", async () => {
    const t = await start({
      config: { securityScanning: "disabled", mutationWaitSeconds: 1 },
      cloud: { completionDelay: "30 seconds" }
    })
    const { args } = await unscannedCreate(t, "very-slow-bucket")
    const created = await t.must("create_resource", args)
    assert.strictEqual(created["status"], "IN_PROGRESS")
    assert.isFalse(created["is_complete"])
    const status = await t.must("get_resource_request_status", { request_token: created["request_token"] })
    assert.strictEqual(status["status"], "IN_PROGRESS")
    assert.include(
      (await t.journal()).map((entry) => entry.event),
      "mutation_submitted"
    )
  })

  it("a cancelled call stops waiting: the server stops polling Cloud Control", async () => {
    const t = await start({
      config: { securityScanning: "disabled", mutationWaitSeconds: 60 },
      cloud: { completionDelay: "60 seconds" }
    })
    const { args } = await unscannedCreate(t, "cancelled-bucket")
    const controller = new AbortController()
    const pending = t.client.callTool(
      {
        name: "create_resource",
        arguments: args
      },
      { signal: controller.signal, timeout: 120_000 }
    )
    await stopsPolling(t, pending, () => controller.abort("the user changed their mind"))
  })

  it("a defect is shown as an internal error that points to the server log, without its details", async () => {
    const t = await start({ identityDefect: true })
    const out = await t.call("check_environment_variables")
    assert.isFalse(out.ok)
    assert.match(
      out.text,
      /^Internal error: check_environment_variables failed unexpectedly; the details are in the server log/
    )
    assert.notInclude(out.text, "exploded")
  })

  it("input that does not match a tool's schema is refused before any use-case runs", async () => {
    const t = await start()
    const out = await t.call("list_resources", { resource_type: "AWS::S3::Bucket", max_results: "lots" })
    assert.isFalse(out.ok)
    assert.include(out.text, "max_results")
  })
})
