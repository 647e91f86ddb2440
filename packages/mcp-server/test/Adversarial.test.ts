import { assert, describe, it } from "@effect/vitest"
import {
  cleanBucket,
  createThroughWorkflow,
  credentials,
  explainCreate,
  explainDelete,
  refused,
  scannedCreate,
  scannedUpdate,
  type Outcome,
  type TestServer,
  unscannedCreate,
  unloggedBucket,
  useTestServers
} from "./support/TestServer.js"

/*
 * One test per attack on the workflow. Each asserts the refusal a model would read and, where a mutation could
 * slip through, that the fake cloud received none.
 */

const start = useTestServers()

const BUCKET = "AWS::S3::Bucket"
const patch = [{ op: "replace", path: "/VersioningConfiguration/Status", value: "Suspended" }]

/** A scanned, explained update of an existing bucket. */
const explainUpdate = async (t: TestServer, creds: string, identifier: string, patchDocument: unknown = patch) => {
  const { generated, scan, args } = await scannedUpdate(t, creds, identifier, patchDocument)
  return {
    generatedToken: generated["generated_code_token"] as string,
    explainedToken: args.explained_token,
    scanToken: args.security_scan_token,
    failed: scan["failed_check_ids"] as Array<string>
  }
}

/** What an attack on one mutation has to work with, and what it sends. */
interface Attempt<Have> {
  readonly name: string
  /** The arguments sent, from an honest call's and what the attacker holds. */
  readonly args: (honest: Record<string, unknown>, have: Have) => Record<string, unknown>
  /** The refusal's tag; absent: any refusal whose text names `says`. */
  readonly tag?: string
  /** What the refusal's text says (a parameter name). */
  readonly says?: string
  /** What the refusal's text must not echo. */
  readonly hides?: string
}

const refusedAs = (out: Outcome, attempt: Pick<Attempt<never>, "tag" | "says" | "hides">) => {
  if (attempt.tag !== undefined) refused(out, attempt.tag)
  else assert.isFalse(out.ok, out.text)
  if (attempt.says !== undefined) assert.include(out.text, attempt.says)
  if (attempt.hides !== undefined) assert.notInclude(out.text, attempt.hides)
}

/** A create explained with scanning disabled, then submitted as the attack says: refused, and nothing created. */
const createAttempt = async (attempt: Attempt<{ generatedToken: string; otherCreds: string }>) => {
  const t = await start({ config: { securityScanning: "disabled" } })
  const { generated, args } = await unscannedCreate(t, "attacked-bucket")
  const have = { generatedToken: generated["generated_code_token"] as string, otherCreds: await credentials(t) }
  refusedAs(await t.call("create_resource", attempt.args(args, have)), attempt)
  assert.strictEqual(t.counts.create, 0)
}

/** An update of an existing bucket sent as the attack says, with no honest explanation: refused, nothing updated. */
const updateAttempt = async (attempt: Attempt<{ creds: string }>) => {
  const t = await start()
  await t.seed(BUCKET, cleanBucket("victim"))
  const creds = await credentials(t)
  const honest = { resource_type: BUCKET, identifier: "victim", credentials_token: creds, patch_document: patch }
  refusedAs(await t.call("update_resource", attempt.args(honest, { creds })), attempt)
  assert.strictEqual(t.counts.update, 0)
}

/** A delete of bucket `target` explained, then sent as the attack says: refused; nothing deleted, both buckets there. */
const deleteAttempt = async (attempt: Attempt<{ createToken: string }>) => {
  const t = await start()
  await t.seed(BUCKET, cleanBucket("target"))
  await t.seed(BUCKET, cleanBucket("precious"))
  const creds = await credentials(t)
  const honest = {
    resource_type: BUCKET,
    identifier: "target",
    credentials_token: creds,
    explained_token: await explainDelete(t, "target"),
    confirmed: true
  }
  const { explainedToken: createToken } = await explainCreate(t, creds, cleanBucket("other"))
  refusedAs(await t.call("delete_resource", attempt.args(honest, { createToken })), attempt)
  assert.strictEqual(t.counts.delete, 0)
  assert.isDefined(await t.peek(BUCKET, "target"))
  assert.isDefined(await t.peek(BUCKET, "precious"))
}

const forgedExplained = "explained_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

const forgedCreates: ReadonlyArray<Attempt<{ generatedToken: string; otherCreds: string }>> = [
  {
    name: "a made-up explained_token (not echoed)",
    args: (honest) => ({ ...honest, explained_token: forgedExplained }),
    tag: "TokenInvalid",
    hides: forgedExplained
  },
  {
    name: "a generated_code_token in place of the explained_token",
    args: (honest, have) => ({ ...honest, explained_token: have.generatedToken }),
    tag: "TokenInvalid"
  },
  {
    name: "a forged credentials_token",
    args: (honest) => ({ ...honest, credentials_token: "credentials_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" }),
    tag: "TokenInvalid"
  }
]

const forgedUpdates: ReadonlyArray<Attempt<{ creds: string }>> = [
  {
    name: "the reference's update bypass: update_resource with a patch and a garbage explained_token is refused",
    args: (honest) => ({
      ...honest,
      explained_token: "garbage",
      patch_document: [{ op: "add", path: "/PublicAccessBlockConfiguration", value: { BlockPublicAcls: false } }],
      skip_security_check: true
    }),
    tag: "TokenInvalid"
  },
  {
    name: "update_resource with a patch and no explained_token at all is refused",
    args: (honest) => ({ ...honest, skip_security_check: true }),
    says: "explained_token"
  },
  {
    name: "update_resource with a credentials_token passed as explained_token is refused",
    args: (honest, have) => ({ ...honest, explained_token: have.creds }),
    tag: "TokenInvalid"
  }
]

const forgedDeletes: ReadonlyArray<Attempt<{ createToken: string }>> = [
  {
    name: "a made-up explained_token",
    args: (honest) => ({ ...honest, explained_token: "explained_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" }),
    tag: "TokenInvalid"
  },
  {
    name: "a create plan's explained_token",
    args: (honest, have) => ({ ...honest, explained_token: have.createToken }),
    tag: "PlanMismatch"
  }
]

const splicedCreates: ReadonlyArray<Attempt<{ generatedToken: string; otherCreds: string }>> = [
  {
    name: "the explained_token of one workflow with the credentials_token of another is refused",
    args: (honest, have) => ({ ...honest, credentials_token: have.otherCreds }),
    tag: "TokenChainBroken"
  }
]

const changedCreates: ReadonlyArray<Attempt<{ generatedToken: string; otherCreds: string }>> = [
  {
    name: "resource_type changed after the explanation is refused",
    args: (honest) => ({ ...honest, resource_type: "AWS::SQS::Queue" }),
    tag: "PlanMismatch",
    says: "resource_type"
  },
  {
    name: "region changed after the explanation is refused",
    args: (honest) => ({ ...honest, region: "eu-west-1" }),
    tag: "PlanMismatch",
    says: "region"
  }
]

const changedDeletes: ReadonlyArray<Attempt<{ createToken: string }>> = [
  {
    name: "deleting another identifier than the one explained is refused; both resources survive",
    args: (honest) => ({ ...honest, identifier: "precious" }),
    tag: "PlanMismatch"
  },
  {
    name: "a delete without confirmed=true is refused",
    args: (honest) => {
      const { confirmed: _, ...rest } = honest
      return rest
    },
    tag: "DeleteNotConfirmed"
  }
]

describe("forged and wrong-kind tokens", () => {
  it.each(forgedCreates)("create_resource with $name is refused", createAttempt)
  it.each(forgedUpdates)("$name", updateAttempt)
  it.each(forgedDeletes)("delete_resource with $name is refused", deleteAttempt)
})

describe("tokens spliced from two workflows", () => {
  it.each(splicedCreates)("$name", createAttempt)

  it("the security_scan_token of one plan with the explained_token of another is refused", async () => {
    const t = await start()
    const creds = await credentials(t)
    const clean = await explainCreate(t, creds, cleanBucket("clean-plan"))
    const cleanScan = await t.must("run_checkov", { explained_token: clean.explainedToken })
    const risky = await explainCreate(t, creds, unloggedBucket("risky-plan"))
    const out = await t.call("create_resource", {
      resource_type: BUCKET,
      credentials_token: creds,
      explained_token: risky.explainedToken,
      security_scan_token: cleanScan["security_scan_token"]
    })
    refused(out, "TokenChainBroken")
    assert.strictEqual(t.counts.create, 0)
  })
})

describe("requests that differ from the plan", () => {
  it.each(changedCreates)("$name", createAttempt)

  it("identifier changed after the explanation of an update is refused", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("explained-one"))
    await t.seed(BUCKET, cleanBucket("another-one"))
    const creds = await credentials(t)
    const plan = await explainUpdate(t, creds, "explained-one")
    const out = await t.call("update_resource", {
      resource_type: BUCKET,
      identifier: "another-one",
      credentials_token: creds,
      explained_token: plan.explainedToken,
      security_scan_token: plan.scanToken,
      accept_findings: plan.failed
    })
    refused(out, "PlanMismatch")
    assert.strictEqual(t.counts.update, 0)
  })

  it("a patch changed after the explanation is refused, and the stored patch is what an omitted patch applies", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("patch-bucket"))
    const creds = await credentials(t)
    const plan = await explainUpdate(t, creds, "patch-bucket")
    const out = await t.call("update_resource", {
      resource_type: BUCKET,
      identifier: "patch-bucket",
      credentials_token: creds,
      explained_token: plan.explainedToken,
      security_scan_token: plan.scanToken,
      accept_findings: plan.failed,
      patch_document: [{ op: "remove", path: "/VersioningConfiguration" }]
    })
    refused(out, "PlanMismatch")
    assert.include(out.text, "patch_document")
    assert.strictEqual(t.counts.update, 0)
  })

  it.each(changedDeletes)("$name", deleteAttempt)
})

describe("single use, concurrency and expiry", () => {
  it("replaying a create after it succeeded is refused; the cloud saw one create", async () => {
    const t = await start()
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, cleanBucket("replay-bucket"))
    await t.must("create_resource", args)
    const replay = await t.call("create_resource", args)
    refused(replay, "TokenSpent")
    assert.strictEqual(t.counts.create, 1)
  })

  it("two concurrent submissions of one plan make exactly one mutation", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const { args } = await unscannedCreate(t, "race-bucket")
    const outcomes = await Promise.all([t.call("create_resource", args), t.call("create_resource", args)])
    assert.strictEqual(outcomes.filter((o) => o.ok).length, 1)
    refused(outcomes.find((o) => !o.ok)!, "TokenSpent")
    assert.strictEqual(t.counts.create, 1)
  })

  it("one plan explained twice (one after the other, or at once) yields one explained_token and one mutation", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const creds = await credentials(t)
    const generated = await t.must("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: creds,
      properties: cleanBucket("twice-bucket")
    })
    const token = { generated_code_token: generated["generated_code_token"] }
    const first = await t.must("explain", token)
    refused(await t.call("explain", token), "TokenSpent")
    const again = await t.must("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: creds,
      properties: cleanBucket("twice-bucket-2")
    })
    const raced = await Promise.all(
      [0, 1].map(() => t.call("explain", { generated_code_token: again["generated_code_token"] }))
    )
    assert.strictEqual(raced.filter((o) => o.ok).length, 1)
    refused(raced.find((o) => !o.ok)!, "TokenSpent")
    const created = await t.call("create_resource", {
      resource_type: BUCKET,
      credentials_token: creds,
      explained_token: first["explained_token"],
      skip_security_check: true
    })
    assert.isTrue(created.ok)
    assert.strictEqual(t.counts.create, 1)
  })

  it("an expired explained_token is refused", async () => {
    const t = await start({ config: { securityScanning: "disabled", tokenTtlMinutes: 1 } })
    const { args } = await unscannedCreate(t, "late-bucket")
    t.advance("2 minutes")
    const out = await t.call("create_resource", args)
    refused(out, "TokenExpired")
    assert.strictEqual(t.counts.create, 0)
  })
})

describe("the security scan", () => {
  it("a failed scan blocks the create when its findings are not accepted", async () => {
    const t = await start()
    const creds = await credentials(t)
    const { scan, args } = await scannedCreate(t, creds, unloggedBucket("unlogged-bucket"))
    assert.strictEqual(scan["scan_status"], "FAILED")
    assert.deepStrictEqual(scan["failed_check_ids"], ["CKV_AWS_18", "CKV_AWS_21"])
    const out = await t.call("create_resource", args)
    refused(out, "ApprovalPending")
    assert.include(out.text, "/approvals/")
    assert.strictEqual(t.counts.create, 0)
  })

  it("CCAPI_APPROVAL=model: accepting only some of the failed ids still blocks", async () => {
    const t = await start({ config: { approval: "model" } })
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, unloggedBucket("half-accepted"))
    const out = await t.call("create_resource", { ...args, accept_findings: ["CKV_AWS_18"] })
    refused(out, "ScanBlocked")
    assert.strictEqual(t.counts.create, 0)
  })

  it("the model's accept_findings, even exactly the failed ids, accepts nothing without an operator setting", async () => {
    const t = await start()
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, unloggedBucket("model-accepted"))
    const out = await t.call("create_resource", { ...args, accept_findings: ["CKV_AWS_21", "CKV_AWS_18"] })
    refused(out, "ApprovalPending")
    assert.strictEqual(t.counts.create, 0)
    assert.isUndefined((await t.journal()).find((entry) => entry.event === "findings_accepted"))
  })

  it("CCAPI_APPROVAL=model: accepting exactly the failed ids lets the create through, labelled as the model's", async () => {
    const t = await start({ config: { approval: "model" } })
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, unloggedBucket("accepted-bucket"))
    const created = await t.must("create_resource", { ...args, accept_findings: ["CKV_AWS_21", "CKV_AWS_18"] })
    assert.deepStrictEqual(created["accepted_findings"], ["CKV_AWS_18", "CKV_AWS_21"])
    assert.include(JSON.stringify(created["warnings"]), "accepted by the model, not by a person")
    assert.strictEqual(t.counts.create, 1)
    const accepted = (await t.journal()).find((entry) => entry.event === "findings_accepted")
    assert.deepStrictEqual(accepted?.details["checkIds"], ["CKV_AWS_18", "CKV_AWS_21"])
    assert.strictEqual(accepted?.details["by"], "model")
    assert.include(String(accepted?.details["label"]), "accepted by the model, not by a person")
  })

  it("a missing scanner blocks: run_checkov says so and the create cannot go on without a scan", async () => {
    const t = await start({ scanner: "missing" })
    const { explainedToken, args } = await unscannedCreate(t, "no-scanner")
    refused(await t.call("run_checkov", { explained_token: explainedToken }), "ScannerUnavailable")
    const out = await t.call("create_resource", args)
    refused(out, "ScanRequired")
    assert.strictEqual(t.counts.create, 0)
  })

  it("with scanning disabled by the operator, a create needs skip_security_check and carries the warning", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const creds = await credentials(t)
    const { explainedToken } = await explainCreate(t, creds, cleanBucket("unscanned"))
    const args = { resource_type: BUCKET, credentials_token: creds, explained_token: explainedToken }
    refused(await t.call("create_resource", args), "ScanRequired")
    const created = await t.must("create_resource", { ...args, skip_security_check: true })
    assert.include(created["security_warning"], "SECURITY_SCANNING=disabled")
    assert.strictEqual(t.counts.create, 1)
  })
})

describe("guardrails", () => {
  it("an IAM policy allowing * on * gets no explained_token and cannot be created", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const creds = await credentials(t)
    const generated = await t.must("generate_infrastructure_code", {
      resource_type: "AWS::IAM::ManagedPolicy",
      credentials_token: creds,
      properties: {
        PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }
      }
    })
    assert.include(
      generated["plan"]["guardrails"].map((g: { rule: string }) => g.rule),
      "iam-admin-wildcard"
    )
    const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
    assert.isUndefined(explained["explained_token"])
    assert.include(explained["explanation"], "iam-admin-wildcard")
    const out = await t.call("create_resource", {
      resource_type: "AWS::IAM::ManagedPolicy",
      credentials_token: creds,
      explained_token: generated["generated_code_token"],
      skip_security_check: true
    })
    assert.isFalse(out.ok)
    assert.strictEqual(t.counts.create, 0)
  })
})

describe("read-only mode", () => {
  it("create, update and delete are refused even when called by name", async () => {
    const t = await start({ config: { readOnly: true } })
    await t.seed(BUCKET, cleanBucket("ro-bucket"))
    for (const name of ["create_resource", "update_resource", "delete_resource"]) {
      const out = await t.call(name, {
        resource_type: BUCKET,
        identifier: "ro-bucket",
        credentials_token: "credentials_x",
        explained_token: "explained_x",
        confirmed: true,
        skip_security_check: true
      })
      assert.isFalse(out.ok, name)
    }
    assert.deepInclude(t.counts, { create: 0, update: 0, delete: 0, templates: 0 })
  })

  it("the tools themselves refuse writes when registered anyway, and core refuses to plan them", async () => {
    const t = await start({ config: { readOnly: true }, registerMutatingTools: true })
    await t.seed(BUCKET, cleanBucket("ro-bucket-2"))
    const creds = await credentials(t)
    for (const name of ["create_resource", "update_resource", "delete_resource"]) {
      refused(
        await t.call(name, {
          resource_type: BUCKET,
          identifier: "ro-bucket-2",
          credentials_token: creds,
          explained_token: "explained_x",
          confirmed: true
        }),
        "ReadOnlyMode"
      )
    }
    refused(
      await t.call("generate_infrastructure_code", {
        resource_type: BUCKET,
        credentials_token: creds,
        properties: cleanBucket("nope")
      }),
      "ReadOnlyMode"
    )
    refused(
      await t.call("explain", { content: { resource_type: BUCKET, identifier: "ro-bucket-2" }, operation: "delete" }),
      "ReadOnlyMode"
    )
    assert.deepInclude(t.counts, { create: 0, update: 0, delete: 0, templates: 0 })
    await t.must("get_resource", { resource_type: BUCKET, identifier: "ro-bucket-2" })
    await t.must("list_resources", { resource_type: BUCKET })
  })
})

describe("human approval", () => {
  for (const answer of ["decline", "cancel", "reject"] as const) {
    it(`a user who answers ${answer} stops the create`, async () => {
      const t = await start({ elicitation: answer })
      const creds = await credentials(t)
      const { args } = await scannedCreate(t, creds, cleanBucket(`asked-${answer}`))
      const out = await t.call("create_resource", args)
      refused(out, "ApprovalDeclined")
      assert.strictEqual(t.counts.create, 0)
      assert.strictEqual(t.elicitations.length, 1)
    })
  }

  it("the user is shown account, region, operation, type and the findings, and approving applies the change", async () => {
    const t = await start({ elicitation: "approve" })
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, unloggedBucket("approved-bucket"))
    await t.must("create_resource", args)
    assert.strictEqual(t.counts.create, 1)
    const message = t.elicitations[0]!.message
    for (const expected of ["123456789012", "us-east-1", "CREATE", BUCKET, "approved-bucket", "CKV_AWS_18"]) {
      assert.include(message, expected)
    }
    // An explicit choice between approve and reject, with no default: not a checkbox that defaults to no.
    const field = t.elicitations[0]!.requestedSchema.properties["decision"] as Record<string, unknown>
    assert.deepStrictEqual(Object.keys(t.elicitations[0]!.requestedSchema.properties), ["decision"])
    assert.deepStrictEqual(
      (field["oneOf"] as Array<{ const: string }>).map((o) => o.const),
      ["approve", "reject"]
    )
    assert.isUndefined(field["default"])
    assert.deepStrictEqual(t.elicitations[0]!.requestedSchema.required, ["decision"])
  })

  it("a delete is put to the user too, and a decline keeps the resource", async () => {
    const t = await start({ elicitation: "decline" })
    await t.seed(BUCKET, cleanBucket("asked-delete"))
    const creds = await credentials(t)
    const explainedToken = await explainDelete(t, "asked-delete")
    const out = await t.call("delete_resource", {
      resource_type: BUCKET,
      identifier: "asked-delete",
      credentials_token: creds,
      explained_token: explainedToken,
      confirmed: true
    })
    refused(out, "ApprovalDeclined")
    assert.isDefined(await t.peek(BUCKET, "asked-delete"))
  })

  it("CCAPI_APPROVAL=required with no channel to a person refuses at the first step, before any plan or scan", async () => {
    const t = await start({ config: { approval: "required", approvalPage: "off" } })
    await t.seed(BUCKET, cleanBucket("kept-by-policy"))
    const creds = await credentials(t)
    const create = await t.call("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: creds,
      properties: cleanBucket("needs-human")
    })
    refused(create, "ApprovalUnavailable")
    assert.include(create.text, "CCAPI_APPROVAL=required")
    assert.include(create.text, "CCAPI_APPROVAL=auto")
    assert.notInclude(create.text, "generated_code_token")
    const update = await t.call("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: creds,
      identifier: "kept-by-policy",
      patch_document: patch
    })
    refused(update, "ApprovalUnavailable")
    const del = await t.call("explain", {
      content: { resource_type: BUCKET, identifier: "kept-by-policy" },
      operation: "delete"
    })
    refused(del, "ApprovalUnavailable")
    assert.strictEqual(t.counts.create + t.counts.update + t.counts.delete, 0)
    assert.isDefined(await t.peek(BUCKET, "kept-by-policy"))
    // Reads are not changes: they keep working.
    assert.isTrue((await t.call("get_resource", { resource_type: BUCKET, identifier: "kept-by-policy" })).ok)
  })

  it("CCAPI_APPROVAL=required with a client that can ask: the change is planned, asked and applied", async () => {
    const t = await start({ config: { approval: "required" }, elicitation: "approve" })
    const creds = await credentials(t)
    const { args } = await scannedCreate(t, creds, cleanBucket("asked-and-approved"))
    await t.must("create_resource", args)
    assert.strictEqual(t.elicitations.length, 1)
    assert.strictEqual(t.counts.create, 1)
  })
})

describe("operator limits", () => {
  it("the per-session delete limit stops the next delete", async () => {
    const t = await start({ config: { deleteLimit: 1, approval: "model" } })
    await t.seed(BUCKET, cleanBucket("first-delete"))
    await t.seed(BUCKET, cleanBucket("second-delete"))
    const creds = await credentials(t)
    const del = async (identifier: string) =>
      t.call("delete_resource", {
        resource_type: BUCKET,
        identifier,
        credentials_token: creds,
        explained_token: await explainDelete(t, identifier),
        confirmed: true
      })
    assert.isTrue((await del("first-delete")).ok)
    refused(await del("second-delete"), "DeleteLimitReached")
    assert.strictEqual(t.counts.delete, 1)
  })
})

describe("a full workflow sanity check", () => {
  it("the happy path still works after all the refusals above", async () => {
    const t = await start()
    const { identifier } = await createThroughWorkflow(t, cleanBucket("happy-bucket"))
    assert.strictEqual(identifier, "happy-bucket")
  })
})
