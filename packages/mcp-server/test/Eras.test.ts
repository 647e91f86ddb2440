import { assert, describe, it } from "@effect/vitest"
import { makeApprovalStateCodec } from "../src/Elicitation.js"
import { eras } from "./support/Clients.js"
import { cleanBucket, credentials, scannedCreate, useTestServers, type TestServer } from "./support/TestServer.js"
import { approveWithState } from "./support/Workflow.js"

/*
 * Both protocol eras, each through its official client: the 2025-11-25 connection (v1 SDK client) is asked through a
 * pushed elicitation; a 2026-07-28 request (v2 client) through an `input_required` result whose request state is
 * signed, expiring, bound to the plan and to the caller. And what a hostile 2026-07-28 client tries with that state.
 */

const start = useTestServers()
/** An explained, scanned create of a clean bucket: the arguments of its create_resource call. */
const readyCreate = async (t: Pick<TestServer, "must">, name: string) =>
  (await scannedCreate(t, await credentials(t), cleanBucket(name))).args

for (const era of eras) {
  describe(`the ${era} era`, () => {
    it("the client speaks that revision, and the whole workflow with an approval round trip creates the bucket", async () => {
      const t = await start({ era, elicitation: "approve" })
      assert.strictEqual(t.client.protocolVersion(), era)
      const created = await t.must("create_resource", await readyCreate(t, `era-${era}`))
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(t.elicitations.length, 1)
      assert.include(t.elicitations[0]!.message, "Approve this CREATE")
      assert.deepStrictEqual(Object.keys(t.elicitations[0]!.requestedSchema.properties), ["decision"])
      assert.strictEqual(t.counts.create, 1)
      assert.include(
        (await t.journal()).map((entry) => entry.event),
        "approval"
      )
    })

    it("a client whose user declines makes no change", async () => {
      const t = await start({ era, elicitation: "decline" })
      const out = await t.call("create_resource", await readyCreate(t, `declined-${era}`))
      assert.isFalse(out.ok)
      assert.match(out.text, /^ApprovalDeclined: /)
      assert.strictEqual(t.elicitations.length, 1)
      assert.strictEqual(t.counts.create, 0)
    })
  })
}

describe("a hostile 2026-07-28 client and the approval state", () => {
  const era = "2026-07-28" as const

  it("an approval sent without the server's state is not an approval: the user is asked, nothing is created", async () => {
    const t = await start({ era, elicitation: "approve" })
    const args = await readyCreate(t, "forged-answer")
    const raw = await t.client.rawCall!({
      name: "create_resource",
      arguments: args,
      inputResponses: { approve: { action: "accept", content: { decision: "approve" } } }
    })
    assert.strictEqual(raw["resultType"], "input_required")
    assert.isString(raw["requestState"])
    assert.strictEqual(t.counts.create, 0)
  })

  it("the state of one plan's approval does not approve another plan", async () => {
    const t = await start({ era, elicitation: "approve" })
    const first = await readyCreate(t, "plan-one")
    const asked = await t.client.rawCall!({ name: "create_resource", arguments: first })
    assert.strictEqual(asked["resultType"], "input_required")
    const second = await readyCreate(t, "plan-two")
    const replayed = await t.client.rawCall!({
      name: "create_resource",
      arguments: second,
      inputResponses: { approve: { action: "accept", content: { decision: "approve" } } },
      requestState: asked["requestState"] as string
    })
    assert.strictEqual(replayed["resultType"], "input_required", "asked again, for the second plan")
    assert.notStrictEqual(replayed["requestState"], asked["requestState"])
    assert.strictEqual(t.counts.create, 0)
    // The first plan's state with the first plan's call is an approval.
    const approved = await t.client.rawCall!({
      name: "create_resource",
      arguments: first,
      inputResponses: { approve: { action: "accept", content: { decision: "approve" } } },
      requestState: asked["requestState"] as string
    })
    assert.notStrictEqual(approved["resultType"], "input_required")
    assert.strictEqual((approved["structuredContent"] as Record<string, unknown>)["status"], "SUCCESS")
    assert.strictEqual(t.counts.create, 1)
  })

  it("tampered state is refused before the tool runs", async () => {
    const t = await start({ era, elicitation: "approve" })
    const args = await readyCreate(t, "tampered-state")
    const asked = await t.client.rawCall!({ name: "create_resource", arguments: args })
    const state = asked["requestState"] as string
    const [version, body, mac] = state.split(".")
    const decoded = JSON.parse(Buffer.from(body!, "base64url").toString("utf8")) as { p: { approval: string } }
    decoded.p.approval = "forged"
    const forged = [version, Buffer.from(JSON.stringify(decoded)).toString("base64url"), mac].join(".")
    const refused = await approveWithState(t.client, args, forged)
    assert.strictEqual(refused?.code, -32602)
    assert.strictEqual(t.counts.create, 0)
  })

  it("expired state is refused", async () => {
    const t = await start({ era, elicitation: "approve" })
    const session = await t.connectSession({
      elicitation: "approve",
      approvalState: makeApprovalStateCodec({ key: undefined, ttlSeconds: 1 })
    })
    const args = await readyCreate(session, "expired-state")
    const asked = await session.client.rawCall!({ name: "create_resource", arguments: args })
    await new Promise((resolve) => setTimeout(resolve, 2200))
    const refused = await approveWithState(session.client, args, asked["requestState"] as string)
    assert.strictEqual(refused?.code, -32602)
    assert.strictEqual(t.counts.create, 0)
  })
})
