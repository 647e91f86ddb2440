import { assert, describe, it } from "@effect/vitest"
import {
  cleanBucket,
  credentials,
  explainCreate,
  stopsPolling,
  type TestServer,
  useTestServers
} from "./support/TestServer.js"

/*
 * Sessions: every MCP session gets its own server from the factory, over one application (one runtime). What is the
 * session's — its delete counter, its approver, its running calls — is not shared with the others.
 */

const start = useTestServers()
const BUCKET = "AWS::S3::Bucket"

type Session = Pick<TestServer, "call" | "must">

/** Steps 1–2, explain the delete, and delete: the outcome a model would read. */
const deleteThrough = async (session: Session, identifier: string) => {
  const creds = await credentials(session)
  const explained = await session.must("explain", {
    content: { resource_type: BUCKET, identifier },
    operation: "delete"
  })
  return session.call("delete_resource", {
    resource_type: BUCKET,
    identifier,
    credentials_token: creds,
    explained_token: explained["explained_token"],
    confirmed: true
  })
}

describe("sessions of one application", () => {
  it("do not share a delete counter: CCAPI_DELETE_LIMIT=1 allows one delete in each", async () => {
    // The per-session counter, not approvals: the model's confirmed=true decides (CCAPI_APPROVAL=model).
    const t = await start({ config: { deleteLimit: 1, approval: "model" } })
    for (const name of ["first-a", "second-a", "first-b", "second-b"]) await t.seed(BUCKET, cleanBucket(name))
    const other = await t.connectSession()

    assert.isTrue((await deleteThrough(t, "first-a")).ok)
    const refusedA = await deleteThrough(t, "second-a")
    assert.match(refusedA.text, /^DeleteLimitReached: /)

    const inOther = await deleteThrough(other, "first-b")
    assert.isTrue(inOther.ok, inOther.text)
    const refusedB = await deleteThrough(other, "second-b")
    assert.match(refusedB.text, /^DeleteLimitReached: /)

    assert.strictEqual(t.counts.delete, 2)
    assert.isDefined(await t.peek(BUCKET, "second-a"))
    assert.isDefined(await t.peek(BUCKET, "second-b"))
  })

  it("closing a session interrupts the calls still running on it and leaves the other sessions serving", async () => {
    const t = await start({
      config: { securityScanning: "disabled", mutationWaitSeconds: 60 },
      cloud: { completionDelay: "60 seconds" }
    })
    const other = await t.connectSession()
    const creds = await credentials(other)
    const { explainedToken } = await explainCreate(other, creds, cleanBucket("left-behind"))
    const pending = other.call("create_resource", {
      resource_type: BUCKET,
      credentials_token: creds,
      explained_token: explainedToken,
      skip_security_check: true
    })
    await stopsPolling(t, pending, other.close)
    assert.isTrue((await t.call("check_environment_variables")).ok)
  })
})
