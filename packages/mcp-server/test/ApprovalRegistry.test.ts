import { assert, describe, it } from "@effect/vitest"
import type { ApprovalRequest } from "@ccapi/core"
import { ApprovalRegistry } from "../src/approval/ApprovalRegistry.js"

const request = (planHash: string, failedCheckIds: ReadonlyArray<string> = []): ApprovalRequest => ({
  operation: "delete",
  accountId: "123456789012",
  region: "us-east-1",
  typeName: "AWS::S3::Bucket",
  identifier: "b",
  summary: "**DELETE**",
  diff: [],
  findings: [],
  failedCheckIds,
  reasons: ["delete"],
  planHash
})

const registry = (now: { t: number }, capacity = 1000) =>
  new ApprovalRegistry({ ttlMillis: 60_000, capacity, now: () => now.t })

describe("ApprovalRegistry", () => {
  it("binds an approval to the session, the plan hash and the failed checks; ids and CSRF tokens are unguessable", () => {
    const now = { t: 0 }
    const r = registry(now)
    const a = r.open("s1", request("h1"))
    assert.strictEqual(r.open("s1", request("h1")), a, "asking again finds the same approval")
    assert.notStrictEqual(r.open("s2", request("h1")), a, "another session gets its own")
    assert.notStrictEqual(r.open("s1", request("h2")), a, "another plan gets its own")
    assert.notStrictEqual(r.open("s1", request("h1", ["CKV_AWS_18"])), a, "other failed checks get their own")
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/)
    assert.match(a.csrf, /^[A-Za-z0-9_-]{43}$/)
    assert.notStrictEqual(a.id, a.csrf)
  })

  it("a decision is made once and used once; an expired approval takes none", () => {
    const now = { t: 0 }
    const r = registry(now)
    const a = r.open("s", request("h"))
    assert.isUndefined(r.take(a))
    assert.strictEqual(r.decide(a.id, "approved", "approval_page", undefined), "decided")
    assert.strictEqual(r.decide(a.id, "declined", "approval_page", undefined), "already_decided")
    assert.strictEqual(r.take(a)?.answer, "approved")
    assert.isUndefined(r.take(a), "used once")
    assert.notStrictEqual(r.open("s", request("h")), a, "a used approval is not handed out again")
    const b = r.open("s", request("late"))
    now.t = 60_000
    assert.strictEqual(r.decide(b.id, "approved", "approval_page", undefined), "expired")
    assert.strictEqual(r.decide("no-such-id", "approved", "approval_page", undefined), "unknown")
  })

  it("wakes a waiting call when the decision comes, and stays bounded", async () => {
    const now = { t: 0 }
    const r = registry(now, 3)
    const a = r.open("s", request("wait"))
    const waiting = r.waitForDecision(a, 10_000)
    r.decide(a.id, "declined", "webhook", "bob")
    await waiting
    assert.deepStrictEqual(r.take(a), { answer: "declined", channel: "webhook", decidedAt: 0, by: "bob" })
    for (let i = 0; i < 10; i++) r.open("s", request(`many-${i}`))
    assert.isUndefined(r.get(a.id), "the oldest approvals are dropped past the bound")
  })
})
