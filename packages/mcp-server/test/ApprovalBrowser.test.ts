import { existsSync, mkdirSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { type Browser, chromium, type Page } from "playwright-core"
import { type LocalRedis, startLocalRedis } from "@ccapi/testkit/services"
import { type Issuer, makeIssuer } from "./support/HttpServer.js"
import { publicApprovalLink, type RemoteFleet, remoteDeleteArgs, remoteFleet } from "./support/RemoteFleet.js"
import {
  approvalLink,
  cleanBucket,
  credentials,
  type Outcome,
  scannedCreate,
  type TestServer,
  unloggedBucket,
  useTestServers
} from "./support/TestServer.js"

/*
 * The approval page as a person uses it: a real Chromium (Debian's, installed by scripts/setup-chromium.mjs from
 * `pretest`) driven by playwright-core opens the link from a tool's answer and presses a button; the mutation then
 * goes through (or does not). Screenshots are kept in packages/mcp-server/test-artifacts/approval-page/ (git-ignored).
 * In remote mode the same browser opens the link on CCAPI_PUBLIC_URL: a round-robin proxy in front of two replicas
 * that share one real Redis, so its GET and its POST land on different replicas.
 */

const here = path.dirname(fileURLToPath(import.meta.url))
const artifacts = path.resolve(here, "..", "test-artifacts", "approval-page")
const executablePath = process.env["CCAPI_CHROMIUM"] ?? "/usr/bin/chromium"
const BUCKET = "AWS::S3::Bucket"
const start = useTestServers()

let browser: Browser
let redis: LocalRedis
let issuer: Issuer

beforeAll(async () => {
  ;[redis, issuer] = await Promise.all([startLocalRedis(), makeIssuer()])
  if (!existsSync(executablePath))
    throw new Error(
      `No Chromium at ${executablePath}: run \`node scripts/setup-chromium.mjs\` (npm test's pretest does).`
    )
  mkdirSync(artifacts, { recursive: true })
  console.info(`Approval page screenshots: ${artifacts}`)
  // Root in a container has no user namespace for Chromium's sandbox.
  browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] })
}, 60_000)

afterAll(async () => {
  await Promise.all([browser?.close(), redis?.dispose(), issuer?.close()])
})

const linkOf = (outcome: Outcome): string => {
  assert.isFalse(outcome.ok, outcome.text)
  assert.match(outcome.text, /^ApprovalPending: /)
  const link = approvalLink(outcome)
  assert.isDefined(link, outcome.text)
  return link!
}

/** A fresh browser profile (its own cookies), as another person or another machine would have. */
const openPage = async (link: string): Promise<{ page: Page; status: number }> => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const response = await page.goto(link)
  return { page, status: response?.status() ?? 0 }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })

/**
 * A create whose scan failed, sent (ApprovalPending), and the link from its answer opened in a fresh browser: the
 * create's arguments, the link and the page.
 */
const openedCreate = async (t: TestServer, name: string) => {
  const { args } = await scannedCreate(t, await credentials(t), unloggedBucket(name))
  const link = linkOf(await t.call("create_resource", args))
  const { page, status } = await openPage(link)
  assert.strictEqual(status, 200)
  return { args, link, page }
}

describe("the approval page in a real browser", () => {
  it("the user opens the link from the tool's answer, reads the change and approves; the create goes through", async () => {
    const t = await start()
    const { args, link, page } = await openedCreate(t, "browser-approved")
    const text = await page.locator("body").innerText()
    for (const expected of ["123456789012", "us-east-1", "browser-approved", "CKV_AWS_18", "CKV_AWS_21"])
      assert.include(text, expected)
    await shot(page, "1-approval-requested")
    await page.getByRole("button", { name: "Approve" }).click()
    await page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 10_000 })
    await shot(page, "2-approved")
    const created = await t.must("create_resource", args)
    assert.strictEqual(created["status"], "SUCCESS")
    assert.deepStrictEqual(created["accepted_findings"], ["CKV_AWS_18", "CKV_AWS_21"])
    assert.strictEqual(t.counts.create, 1)
    // The link is spent: opening it again, even in the same browser, says it was decided.
    assert.strictEqual((await page.goto(link))?.status(), 410)
    await shot(page, "3-replayed-link")
    await page.context().close()
  })

  it("the user rejects a delete: nothing is deleted and the plan is spent", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("browser-kept"))
    const creds = await credentials(t)
    const explained = await t.must("explain", {
      content: { resource_type: BUCKET, identifier: "browser-kept" },
      operation: "delete"
    })
    const args = {
      resource_type: BUCKET,
      identifier: "browser-kept",
      credentials_token: creds,
      explained_token: explained["explained_token"],
      confirmed: true
    }
    const link = linkOf(await t.call("delete_resource", args))
    const { page } = await openPage(link)
    assert.include(await page.locator("body").innerText(), "this is a delete")
    await shot(page, "4-delete-requested")
    await page.getByRole("button", { name: "Reject" }).click()
    await page.getByRole("heading", { name: "Rejected" }).waitFor({ timeout: 10_000 })
    await shot(page, "5-rejected")
    const out = await t.call("delete_resource", args)
    assert.match(out.text, /^ApprovalDeclined: /)
    assert.strictEqual(t.counts.delete, 0)
    assert.isDefined(await t.peek(BUCKET, "browser-kept"))
    await page.context().close()
  })

  it("a second browser opening the link rejects the change", async () => {
    const t = await start()
    const { args, link, page: first } = await openedCreate(t, "browser-opened-twice")
    const second = await openPage(link)
    assert.strictEqual(second.status, 409)
    await shot(second.page, "6-second-browser")
    await first.getByRole("button", { name: "Approve" }).click()
    await first.getByRole("heading", { name: "Already decided" }).waitFor({ timeout: 10_000 })
    assert.match((await t.call("create_resource", args)).text, /^ApprovalDeclined: /)
    assert.strictEqual(t.counts.create, 0)
    await Promise.all([first.context().close(), second.page.context().close()])
  })

  it("refuses a forged CSRF token and an expired link", async () => {
    const t = await start()
    const { args, link, page } = await openedCreate(t, "browser-attacked")

    // A forged token in the form (set through the DevTools protocol: the page itself runs no script).
    await page.locator('input[name="csrf"]').evaluate((input) => Reflect.set(input, "value", "forged"))
    await page.getByRole("button", { name: "Approve" }).click()
    await page.getByRole("heading", { name: "Refused" }).waitFor({ timeout: 10_000 })
    await shot(page, "7-forged-csrf")
    assert.match((await t.call("create_resource", args)).text, /^ApprovalPending: /)

    t.advance("11 minutes")
    const expired = await page.goto(link)
    assert.strictEqual(expired?.status(), 410)
    assert.include(await page.locator("body").innerText(), "expired")
    await shot(page, "8-expired")
    assert.strictEqual(t.counts.create, 0)
    await page.context().close()
  })
})

describe("the approval page in a real browser, in remote mode (the HTTP listener, two replicas, one Redis)", () => {
  const fleets: Array<RemoteFleet> = []
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((f) => f.close()))
  })
  const fleet = async () => {
    const f = await remoteFleet({ start, redisUrl: redis.url, issuer })
    fleets.push(f)
    return f
  }
  const remoteLink = (outcome: Outcome, publicUrl: string) => {
    assert.match(outcome.text, /^ApprovalPending: /)
    const link = publicApprovalLink(outcome, publicUrl)
    assert.isDefined(link, outcome.text)
    return link!
  }

  it("the link on CCAPI_PUBLIC_URL is opened and approved across replicas; the delete goes through once; replay, a forged token and a second decision are refused", async () => {
    const f = await fleet()
    const alice = await f.client("alice", "a")
    const args = await remoteDeleteArgs(f.a.t, alice, "remote-browser-approved")
    const link = remoteLink(await alice.call("delete_resource", args), f.publicUrl)
    const before = f.proxy.log.length
    const { page, status } = await openPage(link)
    assert.strictEqual(status, 200)
    const text = await page.locator("body").innerText()
    for (const expected of ["123456789012", "us-east-1", "remote-browser-approved", "this is a delete"])
      assert.include(text, expected)
    await shot(page, "remote-1-requested")

    // A forged CSRF token first (set through the DevTools protocol: the page runs no script): refused.
    await page.locator('input[name="csrf"]').evaluate((input) => Reflect.set(input, "value", "forged"))
    await page.getByRole("button", { name: "Approve" }).click()
    await page.getByRole("heading", { name: "Refused" }).waitFor({ timeout: 10_000 })
    await shot(page, "remote-2-forged-csrf")
    assert.match((await alice.call("delete_resource", args)).text, /^ApprovalPending: /)

    // The same browser reloads the page (its cookie) and approves.
    assert.strictEqual((await page.goto(link))?.status(), 200)
    await page.getByRole("button", { name: "Approve" }).click()
    await page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 10_000 })
    await shot(page, "remote-3-approved")
    const served = f.proxy.log.slice(before).map((entry) => entry.upstream)
    assert.isAtLeast(new Set(served).size, 2, `the browser's requests reached both replicas: ${served.join(", ")}`)

    const deleted = await alice.must("delete_resource", args)
    assert.strictEqual(deleted["status"], "SUCCESS")
    assert.deepInclude(f.a.t.counts, { delete: 1 })

    // Replayed: every replica says it was decided.
    for (let i = 0; i < 2; i++) assert.strictEqual((await page.goto(link))?.status(), 410)
    await shot(page, "remote-4-replayed")
    // A second decision (the form posted again, from a page kept open) is refused.
    const second = await openPage(link)
    assert.strictEqual(second.status, 410)
    const resent = await page.context().request.post(link, {
      form: { csrf: "any", decision: "reject" },
      headers: { origin: new URL(link).origin }
    })
    assert.strictEqual(resent.status(), 410)
    assert.deepInclude(f.a.t.counts, { delete: 1 })
    const approval = (await f.a.t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["subject"], "alice")
    await Promise.all([page.context().close(), second.page.context().close()])
  })
})
