import { createHmac } from "node:crypto"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { statusWithHost } from "./support/RawHttp.js"
import {
  approvalLink,
  cleanBucket,
  credentials,
  explainCreate,
  explainDelete,
  type Outcome,
  person,
  refused,
  type TestServer,
  unloggedBucket,
  useTestServers
} from "./support/TestServer.js"

/*
 * Approvals a model cannot fake (DESIGN guarantee 10), attacked through the MCP tools: the model's own
 * accept_findings and confirmed=true decide nothing unless the operator set CCAPI_APPROVAL=model; a person decides
 * on ccapi's approval page (opened here by plain HTTP, as a browser would — the browser test drives a real Chromium),
 * through URL-mode elicitation, or through the operator's webhook (a local receiver here).
 */

const start = useTestServers()
const BUCKET = "AWS::S3::Bucket"

/** A delete the model asks for with confirmed=true: its arguments, ready to call. */
const deleteArgs = async (t: TestServer, identifier: string) => {
  await t.seed(BUCKET, cleanBucket(identifier))
  const creds = await credentials(t)
  return {
    resource_type: BUCKET,
    identifier,
    credentials_token: creds,
    explained_token: await explainDelete(t, identifier),
    confirmed: true
  }
}

/** A create whose scan failed two checks, with the model's exact acceptance of them. */
const riskyCreateArgs = async (t: Pick<TestServer, "must">, name: string) => {
  const creds = await credentials(t)
  const { explainedToken } = await explainCreate(t, creds, unloggedBucket(name))
  const scan = await t.must("run_checkov", { explained_token: explainedToken })
  return {
    resource_type: BUCKET,
    credentials_token: creds,
    explained_token: explainedToken,
    security_scan_token: scan["security_scan_token"],
    accept_findings: scan["failed_check_ids"]
  }
}

const pendingLink = (outcome: Outcome): string => {
  refused(outcome, "ApprovalPending")
  const link = approvalLink(outcome)
  assert.isDefined(link, `no approval link in: ${outcome.text}`)
  return link!
}

/** A delete the model asks for with confirmed=true, sent once: its arguments and the approval link it was answered. */
const pendingDelete = async (t: TestServer, identifier: string) => {
  const args = await deleteArgs(t, identifier)
  return { args, link: pendingLink(await t.call("delete_resource", args)) }
}

describe("the holes a model used on main, closed", () => {
  it("confirmed=true from the model does not apply a delete: the user decides on the approval page", async () => {
    const t = await start()
    const { args, link } = await pendingDelete(t, "keep-unless-person")
    assert.include((await t.call("delete_resource", args)).text, link, "asking again shows the same link")
    assert.strictEqual(t.counts.delete, 0)
    assert.isDefined(await t.peek(BUCKET, "keep-unless-person"))

    assert.strictEqual((await person.decide(link, "approve")).status, 200)
    const deleted = await t.must("delete_resource", args)
    assert.strictEqual(deleted["status"], "SUCCESS")
    assert.strictEqual(t.counts.delete, 1)
    const approval = (await t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["channel"], "approval_page")
    assert.strictEqual(approval?.details["answer"], "approved")
    assert.deepStrictEqual(approval?.details["reasons"], ["delete"])
    assert.isString(approval?.details["decidedAt"])
  })

  it("a plan the user rejected is spent: its tokens cannot be replayed in another session, even under CCAPI_APPROVAL=model", async () => {
    const t = await start({ config: { approval: "model" }, elicitation: "reject" })
    const args = await deleteArgs(t, "rejected-delete")
    refused(await t.call("delete_resource", args), "ApprovalDeclined")
    // Another session whose client cannot ask: under model, confirmed=true alone would delete.
    const other = await t.connectSession({})
    refused(await other.call("delete_resource", args), "TokenSpent")
    assert.strictEqual(t.counts.delete, 0)
    assert.isDefined(await t.peek(BUCKET, "rejected-delete"))
  })

  it("create_template under CCAPI_APPROVAL=required does not start the IaC Generator without a person", async () => {
    const t = await start({ config: { approval: "required" } })
    await t.seed(BUCKET, cleanBucket("exported"))
    const args = { resources: [{ ResourceType: BUCKET, ResourceIdentifier: { BucketName: "exported" } }] }
    const link = pendingLink(await t.call("create_template", args))
    assert.strictEqual(t.counts.templates, 0)
    assert.strictEqual((await person.decide(link, "approve")).status, 200)
    await t.must("create_template", args)
    assert.strictEqual(t.counts.templates, 1)

    const closed = await start({ config: { approval: "required", approvalPage: "off" } })
    refused(await closed.call("create_template", args), "ApprovalUnavailable")
    assert.strictEqual(closed.counts.templates, 0)
  })

  it("a client that tries to approve with MCP tool calls alone is refused every way it tries", async () => {
    const t = await start()
    const risky = await riskyCreateArgs(t, "attacker-bucket")
    const del = await deleteArgs(t, "attacker-target")
    const attempts: Array<[string, Record<string, unknown>]> = [
      ["create_resource", risky],
      ["create_resource", { ...risky, accept_findings: "CKV_AWS_18,CKV_AWS_21", skip_security_check: true }],
      ["create_resource", risky],
      ["delete_resource", del],
      ["delete_resource", { ...del, confirmed: "true" }],
      ["delete_resource", del]
    ]
    for (const [tool, args] of attempts) {
      const out = await t.call(tool, args)
      assert.isFalse(out.ok, `${tool} went through: ${out.text}`)
    }
    // The tokens of this session, replayed from another session, get that session its own request to a person.
    const other = await t.connectSession({})
    const otherLink = pendingLink(await other.call("delete_resource", del))
    const mineLink = pendingLink(await t.call("delete_resource", del))
    assert.notStrictEqual(otherLink, mineLink)
    // A link approved for one session does not approve the other's call.
    assert.strictEqual((await person.decide(otherLink, "approve")).status, 200)
    refused(await t.call("delete_resource", del), "ApprovalPending")
    assert.deepInclude(t.counts, { create: 0, delete: 0 })
    assert.isUndefined((await t.journal()).find((e) => e.event === "findings_accepted"))
  })

  it("with no channel to a person, a delete is refused before it is explained, saying what would allow it", async () => {
    const t = await start({ config: { approvalPage: "off" } })
    await t.seed(BUCKET, cleanBucket("no-channel"))
    const out = await t.call("explain", {
      content: { resource_type: BUCKET, identifier: "no-channel" },
      operation: "delete"
    })
    refused(out, "ApprovalUnavailable")
    for (const hint of ["elicitation", "CCAPI_APPROVAL_PAGE=on", "CCAPI_APPROVAL_WEBHOOK", "CCAPI_APPROVAL=model"])
      assert.include(out.text, hint)
  })
})

describe("the approval page", () => {
  it("shows account, region, operation, the diff and the findings, under a strict CSP with no script", async () => {
    const t = await start()
    const link = pendingLink(await t.call("create_resource", await riskyCreateArgs(t, "shown-on-page")))
    const page = await person.open(link)
    assert.strictEqual(page.status, 200)
    for (const expected of ["123456789012", "us-east-1", "create", BUCKET, "shown-on-page", "CKV_AWS_18", "CKV_AWS_21"])
      assert.include(page.html, expected)
    assert.include(page.html, "/BucketName")
    assert.notInclude(page.html.toLowerCase(), "<script")
    const csp = page.headers.get("content-security-policy") ?? ""
    assert.include(csp, "default-src 'none'")
    assert.include(csp, "frame-ancestors 'none'")
    assert.include(csp, "form-action 'self'")
    assert.notInclude(csp, "script-src")
    assert.strictEqual(page.headers.get("x-frame-options"), "DENY")
    assert.strictEqual(page.headers.get("cache-control"), "no-store")
    assert.include(page.cookie ?? "", "ccapi_approval_csrf=")
    assert.include(page.headers.get("set-cookie") ?? "", "SameSite=Strict")
    assert.include(page.headers.get("set-cookie") ?? "", "HttpOnly")
    assert.strictEqual(await statusWithHost(link, "evil.example:80"), 421, "DNS rebinding: a foreign Host is refused")
  })

  it("refuses a forged CSRF token, a missing cookie and a foreign origin; nothing is decided", async () => {
    const t = await start()
    const { args, link } = await pendingDelete(t, "csrf-target")
    const page = await person.open(link)
    assert.strictEqual((await person.post(link, { csrf: "forged", decision: "approve" }, page.cookie)).status, 403)
    assert.strictEqual((await person.post(link, { csrf: page.csrf!, decision: "approve" })).status, 403)
    assert.strictEqual(
      (
        await person.post(link, { csrf: page.csrf!, decision: "approve" }, page.cookie, {
          origin: "http://evil.example"
        })
      ).status,
      403
    )
    refused(await t.call("delete_resource", args), "ApprovalPending")
    assert.strictEqual(t.counts.delete, 0)
  })

  it("a link opened in a second browser (the model's fetch, say) rejects the change", async () => {
    const t = await start()
    const { args, link } = await pendingDelete(t, "opened-twice")
    const first = await person.open(link)
    assert.strictEqual((await person.open(link)).status, 409, "another browser (no cookie) cannot open it again")
    assert.strictEqual((await person.post(link, { csrf: first.csrf!, decision: "approve" }, first.cookie)).status, 410)
    refused(await t.call("delete_resource", args), "ApprovalDeclined")
    assert.strictEqual(t.counts.delete, 0)
  })

  it("works once: a replayed link and a second decision are refused", async () => {
    const t = await start()
    const { args, link } = await pendingDelete(t, "once-target")
    // A link preview's HEAD does not spend the link.
    assert.strictEqual((await fetch(link, { method: "HEAD" })).status, 200)
    const first = await person.open(link)
    assert.strictEqual(first.status, 200)
    assert.strictEqual((await person.open(link, first.cookie)).status, 200, "the same browser may reload it")
    assert.strictEqual((await person.post(link, { csrf: first.csrf!, decision: "reject" }, first.cookie)).status, 200)
    assert.strictEqual((await person.post(link, { csrf: first.csrf!, decision: "approve" }, first.cookie)).status, 410)
    assert.strictEqual((await person.open(link)).status, 410, "a replayed link says it was decided")
    // The rejection stands: the call is declined and the plan is spent.
    refused(await t.call("delete_resource", args), "ApprovalDeclined")
    refused(await t.call("delete_resource", args), "TokenSpent")
    assert.strictEqual(t.counts.delete, 0)
    const approval = (await t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["answer"], "declined")
  })

  it("an expired link is refused, and the next call gets a new one", async () => {
    const t = await start({ config: { tokenTtlMinutes: 60 } })
    const { args, link } = await pendingDelete(t, "expiring-target")
    t.advance("11 minutes")
    assert.strictEqual((await person.open(link)).status, 410)
    const fresh = pendingLink(await t.call("delete_resource", args))
    assert.notStrictEqual(fresh, link)
    assert.strictEqual((await person.decide(fresh, "approve")).status, 200)
    await t.must("delete_resource", args)
    assert.strictEqual(t.counts.delete, 1)
  })

  it("an approval is used once: the plan it approved cannot be sent twice", async () => {
    const t = await start()
    const risky = await riskyCreateArgs(t, "approved-once")
    const link = pendingLink(await t.call("create_resource", risky))
    assert.strictEqual((await person.decide(link, "approve")).status, 200)
    const created = await t.must("create_resource", risky)
    assert.deepStrictEqual(created["accepted_findings"], ["CKV_AWS_18", "CKV_AWS_21"])
    refused(await t.call("create_resource", risky), "TokenSpent")
    assert.strictEqual(t.counts.create, 1)
    const accepted = (await t.journal()).find((e) => e.event === "findings_accepted")
    assert.strictEqual(accepted?.details["by"], "person")
    assert.strictEqual(accepted?.details["channel"], "approval_page")
  })
})

describe("URL-mode elicitation", () => {
  it("sends the page to the user through the client, not to the model; the call waits for the decision", async () => {
    const t = await start({
      capabilities: { elicitation: { url: {} } },
      onUrlElicitation: (params) => {
        // The user opens the link the client showed them and approves, a moment later.
        setTimeout(() => void person.decide(params.url, "approve"), 200)
        return { action: "accept" }
      }
    })
    const args = await deleteArgs(t, "url-approved")
    const out = await t.call("delete_resource", args)
    assert.isTrue(out.ok, out.text)
    assert.notInclude(out.text, "/approvals/", "the model never saw the link")
    assert.strictEqual(t.urlElicitations.length, 1)
    assert.include(t.urlElicitations[0]!.message, "123456789012")
    assert.strictEqual(t.counts.delete, 1)
    const approval = (await t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["channel"], "elicitation_url")
  })

  it("a user who declines to open the page stops the change", async () => {
    const t = await start({
      capabilities: { elicitation: { url: {} } },
      onUrlElicitation: () => ({ action: "decline" })
    })
    const args = await deleteArgs(t, "url-declined")
    refused(await t.call("delete_resource", args), "ApprovalDeclined")
    assert.strictEqual(t.counts.delete, 0)
  })
})

/** A webhook receiver on loopback: records what it is sent and, if told, decides through the signed link. */
const receiver = async (decide?: { readonly decision: "approve" | "reject"; readonly by: string }) => {
  const received: Array<{ body: Record<string, unknown>; signature: string | undefined; raw: string }> = []
  const decisions: Array<number> = []
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8")
      const body = JSON.parse(raw) as Record<string, unknown>
      received.push({ body, raw, signature: req.headers["x-ccapi-signature"]?.toString() })
      res.writeHead(204).end()
      if (decide !== undefined) {
        const link = String(body[decide.decision === "approve" ? "approve_url" : "reject_url"])
        void person.post(link, { by: decide.by }).then((r) => decisions.push(r.status))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ccapi`
  return { url, received, decisions, close: () => new Promise((r) => server.close(r)) }
}

describe("the operator's webhook", () => {
  it("posts the request with signed links; the operator approves in their chat tool and the delete goes on", async () => {
    const hook = await receiver({ decision: "approve", by: "alice@example.com" })
    try {
      const t = await start({ config: { approvalWebhook: hook.url, approvalWebhookSecret: "s3cret" } })
      const args = await deleteArgs(t, "webhook-approved")
      const out = await t.call("delete_resource", args)
      assert.isTrue(out.ok, out.text)
      assert.strictEqual(t.counts.delete, 1)
      assert.strictEqual(hook.received.length, 1)
      const { body, raw, signature } = hook.received[0]!
      assert.strictEqual(signature, `sha256=${createHmac("sha256", "s3cret").update(raw).digest("hex")}`)
      assert.strictEqual(body["account_id"], "123456789012")
      assert.strictEqual(body["operation"], "delete")
      assert.strictEqual(body["identifier"], "webhook-approved")
      assert.match(String(body["approve_url"]), /\/signed\?decision=approve&sig=/)
      // The receiver's own POST returns just after the decision that let the delete go on.
      for (let i = 0; i < 50 && hook.decisions.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      assert.deepStrictEqual(hook.decisions, [200])
      const approval = (await t.journal()).find((e) => e.event === "approval")
      assert.strictEqual(approval?.details["channel"], "webhook")
      assert.strictEqual(approval?.details["by"], "alice@example.com")
    } finally {
      await hook.close()
    }
  })

  it("a link whose signature was altered decides nothing; a rejection stops the change", async () => {
    const hook = await receiver()
    try {
      const t = await start({ config: { approvalWebhook: hook.url, approvalWaitSeconds: 0 } })
      const args = await deleteArgs(t, "webhook-rejected")
      refused(await t.call("delete_resource", args), "ApprovalPending")
      const body = hook.received[0]!.body
      const reject = String(body["reject_url"])
      const forged = reject.replace("decision=reject", "decision=approve")
      assert.strictEqual((await person.post(forged, {})).status, 403)
      assert.strictEqual((await person.post(reject, {})).status, 200)
      refused(await t.call("delete_resource", args), "ApprovalDeclined")
      assert.strictEqual(hook.received.length, 1, "posted once per approval")
      assert.strictEqual(t.counts.delete, 0)
    } finally {
      await hook.close()
    }
  })

  it("an unreachable webhook refuses the change with what to do", async () => {
    const hook = await receiver()
    await hook.close()
    const t = await start({ config: { approvalWebhook: hook.url, approvalPage: "off" } })
    const args = await deleteArgs(t, "webhook-down")
    const out = await t.call("delete_resource", args)
    refused(out, "ApprovalUnavailable")
    assert.include(out.text, "CCAPI_APPROVAL_WEBHOOK")
    assert.strictEqual(t.counts.delete, 0)
  })
})

describe("CCAPI_APPROVAL=model", () => {
  it("restores the model's confirmed=true, and says in the result and the journal who decided", async () => {
    const t = await start({ config: { approval: "model" } })
    const args = await deleteArgs(t, "model-deleted")
    const deleted = await t.must("delete_resource", args)
    assert.include(deleted["warnings"].join(" "), "accepted by the model, not by a person")
    const approval = (await t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["by"], "model")
    assert.include(String(approval?.details["label"]), "accepted by the model, not by a person")
  })
})
