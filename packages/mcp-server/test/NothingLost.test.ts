import { assert, describe, it } from "@effect/vitest"
import { cleanBucket, scannedUpdate } from "./support/TestServer.js"
import {
  BUCKET,
  credentials,
  deletesAtOnce,
  explainDelete,
  type FaultyServer,
  readyCreate,
  refused,
  refusedUntilCleared,
  unnamedBucket,
  useFaultyServers
} from "./support/FaultyServer.js"

/*
 * Issue 13, through the MCP tools as a hostile model (or a hostile network) would go: nothing lost, nothing twice,
 * never the wrong account or the wrong resource. Each test was written first against main, where it failed.
 */

const start = useFaultyServers()

/** Bucket `identifier` deleted behind the server's back (another tool, a colleague), the delete complete. */
const deleteOutOfBand = (t: FaultyServer, identifier: string, clientToken: string) =>
  t.outOfBand((cloud) =>
    cloud.delete({
      typeName: BUCKET as never,
      identifier: identifier as never,
      clientToken: clientToken as never,
      region: "us-east-1" as never
    })
  )

/** A patch that tags a bucket. */
const tagTeam = [{ op: "add", path: "/Tags", value: [{ Key: "team", Value: "data" }] }]

describe("nothing twice: the ClientToken survives the agent's retry", () => {
  it("an answer lost once is recovered by sending the same request again: one resource, the request token returned", async () => {
    const t = await start()
    const ready = await readyCreate(t, unnamedBucket())
    t.controls.loseAnswers = 1
    const created = await t.call("create_resource", ready)
    assert.isTrue(created.ok, created.text)
    assert.isString(created.data["request_token"])
    assert.strictEqual((await t.resources()).length, 1)
    assert.strictEqual(t.counts.create, 2, "the same request, sent twice with one ClientToken")
  })

  it("every answer lost: OutcomeUnknown says it may have been applied; re-planning the same create makes no second copy", async () => {
    const t = await start()
    const creds = await credentials(t)
    const first = await readyCreate(t, unnamedBucket(), creds)
    t.controls.loseAnswers = 10
    const lost = await t.call("create_resource", first)
    refused(lost, "OutcomeUnknown")
    assert.match(lost.text, /may have been applied/)
    assert.notMatch(lost.text, /as invalid/)
    assert.match(lost.text, /plan the same create again/)
    assert.strictEqual((await t.resources()).length, 1, "the cloud did act")
    const intent = (await t.journal()).find((e) => e.event === "mutation_intent")!
    assert.include(lost.text, intent.details["clientToken"] as string)

    // The agent re-plans the very same change (a new plan, a new createdAt, a new plan hash) and submits it.
    t.controls.loseAnswers = 0
    const again = await readyCreate(t, unnamedBucket(), creds)
    const retried = await t.call("create_resource", again)
    assert.isTrue(retried.ok, retried.text)
    assert.strictEqual((await t.resources()).length, 1, "no duplicate resource")
    assert.strictEqual(retried.data["client_token"], intent.details["clientToken"])
    assert.match(retried.data["warnings"].join("\n"), /earlier request of the same change/)
    // Every intent is closed: the lost one by its UNKNOWN outcome, the retry by its submitted request.
    assert.deepStrictEqual(await t.pending(), [])
  })

  it("allow_duplicate=true: a second identical resource on purpose gets a ClientToken of its own", async () => {
    const t = await start()
    const creds = await credentials(t)
    const one = await t.must("create_resource", await readyCreate(t, unnamedBucket(), creds))
    const same = await t.must("create_resource", await readyCreate(t, unnamedBucket(), creds))
    assert.strictEqual(same["client_token"], one["client_token"])
    assert.strictEqual((await t.resources()).length, 1)
    const two = await t.must("create_resource", {
      ...(await readyCreate(t, unnamedBucket(), creds)),
      allow_duplicate: true
    })
    assert.notStrictEqual(two["client_token"], one["client_token"])
    assert.strictEqual((await t.resources()).length, 2)
  })

  it("one explained token submitted twice at once: one mutation, the user asked once, no stray intent", async () => {
    const t = await start({ elicitation: "approve" })
    const other = await t.connectSession({ elicitation: "approve" })
    const ready = await readyCreate(t, cleanBucket("raced-once"))
    const outcomes = await Promise.all([t.call("create_resource", ready), other.call("create_resource", ready)])
    assert.strictEqual(outcomes.filter((o) => o.ok).length, 1, outcomes.map((o) => o.text).join("\n---\n"))
    refused(outcomes.find((o) => !o.ok)!, "TokenSpent")
    assert.strictEqual(t.counts.create, 1)
    assert.strictEqual(t.counts.elicitations, 1, "the user was asked once")
    const journal = await t.journal()
    assert.strictEqual(journal.filter((e) => e.event === "mutation_intent").length, 1)
    assert.deepStrictEqual(await t.pending(), [])
    assert.isTrue(journal.some((e) => e.event === "refused" && e.details["reason"] === "TokenSpent"))
  })

  it("a person who declines: nothing is sent and the plan stays spent (declined plans are spent)", async () => {
    const t = await start({ elicitation: "reject" })
    const ready = await readyCreate(t, cleanBucket("declined"))
    refused(await t.call("create_resource", ready), "ApprovalDeclined")
    assert.strictEqual(t.counts.create, 0)
    refused(await t.call("create_resource", ready), "TokenSpent")
    assert.strictEqual(t.counts.elicitations, 1)
    assert.isTrue((await t.journal()).some((e) => e.event === "refused" && e.details["reason"] === "ApprovalDeclined"))
    assert.deepStrictEqual(await t.pending(), [])
  })
})

describe("nothing lost: the write-ahead journal and the token store", () => {
  it("an unwritable journal: nothing is sent, the result says why, and the token works once it is writable", async () => {
    await refusedUntilCleared(await start(), "journal-down", { journal: "mutation_intent" }, "JournalUnavailable")
  })

  it("the intent is recorded before the call, with the ClientToken; the outcome after; the request token in both", async () => {
    const t = await start()
    const created = await t.must("create_resource", await readyCreate(t, cleanBucket("write-ahead")))
    const events = (await t.journal()).filter((e) => e.intentId !== undefined)
    assert.deepStrictEqual(
      events.map((e) => e.event),
      ["mutation_intent", "mutation_submitted", "mutation_outcome"]
    )
    assert.strictEqual(new Set(events.map((e) => e.intentId)).size, 1)
    assert.strictEqual(events[0]!.details["clientToken"], created["client_token"])
    assert.strictEqual(events[1]!.details["requestToken"], created["request_token"])
  })

  it("a store that fails while spending the token stops the create before AWS and loses no token", async () => {
    await refusedUntilCleared(await start(), "store-spend-fails", { store: "spend" }, "StoreUnavailable")
  })

  it("1,100 environment tokens minted in a flood do not evict the credentials and explained tokens in flight", async () => {
    const t = await start()
    const ready = await readyCreate(t, cleanBucket("survives-the-flood"))
    for (let i = 0; i < 1_100; i++) await t.must("check_environment_variables")
    assert.isTrue((await t.call("create_resource", ready)).ok)
  })
})

describe("reconciliation at the next start", () => {
  it("an intent left without an answer (nothing after it could be journaled) is sent again with its ClientToken: one resource, its request token journaled", async () => {
    const t = await start()
    const ready = await readyCreate(t, unnamedBucket())
    // The answers are lost and nothing after the intent can be written: as if the process died mid-call.
    t.controls.loseAnswers = 10
    t.controls.journalFails.add("mutation_outcome").add("mutation_submitted")
    refused(await t.call("create_resource", ready), "OutcomeUnknown")
    t.controls.journalFails.clear()
    t.controls.loseAnswers = 0
    const [pending] = await t.pending()
    assert.isDefined(pending)
    // Another account's credentials now: its intent is left alone.
    t.controls.accountId = "999999999999"
    const elsewhere = await t.reconcile()
    assert.deepStrictEqual(
      elsewhere.settled.map((s) => s.as),
      ["other_account"]
    )
    assert.strictEqual((await t.pending()).length, 1)
    t.controls.accountId = "123456789012"
    const report = await t.reconcile()
    assert.deepStrictEqual(
      report.settled.map((s) => s.as),
      ["recovered"]
    )
    assert.deepStrictEqual(await t.pending(), [])
    const closing = (await t.journal()).find(
      (e) => e.intentId === pending!.intentId && e.event === "mutation_submitted"
    )
    assert.isString(closing?.details["requestToken"])
    assert.strictEqual((await t.resources()).length, 1, "sent again, not created again")
  })

  it("an update whose live resource changed since is not sent again: closed as needs_check", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("reconcile-changed"))
    const creds = await credentials(t)
    const { args } = await scannedUpdate(t, creds, "reconcile-changed", tagTeam)
    t.controls.loseAnswers = 10
    t.controls.journalFails.add("mutation_outcome").add("mutation_submitted")
    refused(await t.call("update_resource", args), "OutcomeUnknown")
    t.controls.journalFails.clear()
    t.controls.loseAnswers = 0
    const updates = t.counts.update
    const report = await t.reconcile()
    assert.deepStrictEqual(
      report.settled.map((s) => s.as),
      ["needs_check"]
    )
    assert.strictEqual(t.counts.update, updates, "nothing sent")
    assert.deepStrictEqual(await t.pending(), [])
  })
})

describe("never the wrong account or the wrong resource", () => {
  it("credentials that now resolve to another account: refused right before sending, nothing sent", async () => {
    const t = await start()
    const { refusal } = await refusedUntilCleared(t, "account-switch", { account: "999999999999" }, "PlanMismatch")
    assert.match(refusal.text, /999999999999/)
  })

  // Deletes take a person's decision; these tests are about what is deleted, so the model's confirmation stands.
  it("a delete of a resource deleted and re-created out of band with other content is refused", async () => {
    const t = await start({ config: { approval: "model" } })
    await t.seed(BUCKET, cleanBucket("replaced-bucket"))
    const creds = await credentials(t)
    const explained = await explainDelete(t, "replaced-bucket")
    await deleteOutOfBand(t, "replaced-bucket", "oob-1")
    await t.seed(BUCKET, { ...cleanBucket("replaced-bucket"), VersioningConfiguration: { Status: "Suspended" } })
    const outcome = await t.call("delete_resource", {
      resource_type: BUCKET,
      identifier: "replaced-bucket",
      credentials_token: creds,
      explained_token: explained,
      confirmed: true
    })
    refused(outcome, "PlanMismatch")
    assert.match(outcome.text, /VersioningConfiguration/)
    assert.match(outcome.text, /explain/)
    assert.strictEqual(t.counts.delete, 0)
    assert.isDefined(await t.peek(BUCKET, "replaced-bucket"), "the resource that was never explained is still there")
  })

  it("an update of a resource that changed after it was explained is refused; explained again, it goes through", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("changed-bucket"))
    const creds = await credentials(t)
    const plan = async () => (await scannedUpdate(t, creds, "changed-bucket", tagTeam)).args
    const ready = await plan()
    await t.outOfBand((cloud) =>
      cloud.update({
        typeName: BUCKET as never,
        identifier: "changed-bucket" as never,
        patch: [{ op: "replace", path: "/LoggingConfiguration/DestinationBucketName", value: "other-logs" }],
        clientToken: "oob-2" as never,
        region: "us-east-1" as never
      })
    )
    const outcome = await t.call("update_resource", ready)
    refused(outcome, "PlanMismatch")
    assert.match(outcome.text, /LoggingConfiguration/)
    assert.strictEqual(t.counts.update, 0)
    const replanned = await t.call("update_resource", await plan())
    assert.isTrue(replanned.ok, replanned.text)
    assert.strictEqual(t.counts.update, 1)
  })

  it("CCAPI_DELETE_LIMIT=1 with two deletes at once over a slow network: exactly one delete", async () => {
    const t = await start({ config: { deleteLimit: 1, approval: "model" } })
    t.controls.latencyMs = 200
    const outcomes = await deletesAtOnce(t, ["limit-a", "limit-b"])
    assert.strictEqual(outcomes.filter((o) => o.ok).length, 1)
    refused(outcomes.find((o) => !o.ok)!, "DeleteLimitReached")
    assert.strictEqual(t.counts.delete, 1)
  })

  it("a delete refused before it is sent (the resource is gone) gives its delete slot back", async () => {
    const t = await start({ config: { deleteLimit: 1, approval: "model" } })
    await t.seed(BUCKET, cleanBucket("slot-back"))
    const creds = await credentials(t)
    const token = await explainDelete(t, "slot-back")
    // Gone before the delete is sent: the live re-read refuses it, nothing is sent, the slot is not used up.
    await deleteOutOfBand(t, "slot-back", "oob-3")
    const gone = await t.call("delete_resource", {
      resource_type: BUCKET,
      identifier: "slot-back",
      credentials_token: creds,
      explained_token: token,
      confirmed: true
    })
    refused(gone, "ResourceNotFound")
    await t.seed(BUCKET, cleanBucket("slot-next"))
    const next = await t.call("delete_resource", {
      resource_type: BUCKET,
      identifier: "slot-next",
      credentials_token: creds,
      explained_token: await explainDelete(t, "slot-next"),
      confirmed: true
    })
    assert.isTrue(next.ok, next.text)
  })
})
