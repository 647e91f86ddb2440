import { assert, describe, it } from "@effect/vitest"
import {
  approvedByPerson,
  cleanBucket,
  createThroughWorkflow,
  credentials,
  explainCreate,
  unloggedBucket,
  useTestServers
} from "./support/TestServer.js"

const start = useTestServers()

const mutating = ["create_resource", "update_resource", "delete_resource"]

describe("tool listing", () => {
  it("lists the reference's 14 tools, each with a title, description, schemas and annotations", async () => {
    const t = await start()
    const { tools } = await t.client.listTools()
    assert.deepStrictEqual(tools.map((tool) => tool.name).sort(), [
      "check_environment_variables",
      "create_resource",
      "create_template",
      "delete_resource",
      "explain",
      "generate_infrastructure_code",
      "get_aws_account_info",
      "get_aws_session_info",
      "get_resource",
      "get_resource_request_status",
      "get_resource_schema_information",
      "list_resources",
      "run_checkov",
      "update_resource"
    ])
    for (const tool of tools) {
      assert.isString(tool.title, tool.name)
      assert.isAbove(tool.description?.length ?? 0, 80, tool.name)
      assert.isDefined(tool.outputSchema, tool.name)
      assert.isDefined(tool.annotations?.readOnlyHint, tool.name)
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        assert.isString((schema as { description?: string }).description, `${tool.name}.${field} has a description`)
      }
    }
  })

  it("gives every tool the hints a client decides by: what writes, what destroys, what may be repeated, what reaches AWS", async () => {
    const t = await start()
    const { tools } = await t.client.listTools()
    // Each set of hints, and the tools that carry it.
    const groups: ReadonlyArray<readonly [hints: Record<string, boolean>, tools: ReadonlyArray<string>]> = [
      // Reads of AWS, which may be repeated.
      [
        { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
        [
          "get_aws_session_info",
          "get_aws_account_info",
          "get_resource_schema_information",
          "list_resources",
          "get_resource",
          "get_resource_request_status"
        ]
      ],
      // Reads only this process's environment.
      [
        { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        ["check_environment_variables"]
      ],
      // Change nothing, but each call issues a new token.
      [
        { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        ["generate_infrastructure_code", "explain"]
      ],
      [{ readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false }, ["run_checkov"]],
      // Start an IaC Generator scan, or make a resource.
      [
        { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        ["create_template", "create_resource"]
      ],
      [{ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }, ["update_resource"]],
      // A second delete of the same resource changes nothing more (Cloud Control answers NotFound).
      [{ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true }, ["delete_resource"]]
    ]
    assert.deepStrictEqual(
      Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations])),
      Object.fromEntries(groups.flatMap(([hints, names]) => names.map((name) => [name, hints])))
    )
  })

  it("keeps the reference's parameter names and required parameters", async () => {
    const t = await start()
    const { tools } = await t.client.listTools()
    const required = Object.fromEntries(tools.map((tool) => [tool.name, [...(tool.inputSchema.required ?? [])].sort()]))
    assert.deepStrictEqual(required["create_resource"], ["credentials_token", "explained_token", "resource_type"])
    assert.deepStrictEqual(required["update_resource"], [
      "credentials_token",
      "explained_token",
      "identifier",
      "resource_type"
    ])
    assert.deepStrictEqual(required["delete_resource"], [
      "credentials_token",
      "explained_token",
      "identifier",
      "resource_type"
    ])
    assert.deepStrictEqual(required["generate_infrastructure_code"], ["credentials_token", "resource_type"])
    assert.deepStrictEqual(required["get_aws_session_info"], ["environment_token"])
    assert.deepStrictEqual(required["explain"], [])
    const update = tools.find((tool) => tool.name === "update_resource")!
    assert.includeMembers(Object.keys(update.inputSchema.properties ?? {}), [
      "patch_document",
      "region",
      "security_scan_token",
      "skip_security_check"
    ])
  })

  it("in read-only mode does not list create, update or delete, and create_template only reads", async () => {
    const t = await start({ config: { readOnly: true } })
    const { tools } = await t.client.listTools()
    const names = tools.map((tool) => tool.name)
    for (const name of mutating) assert.notInclude(names, name)
    assert.strictEqual(names.length, 11)
    // Read-only, it renders a template from reads instead of starting an IaC Generator scan.
    assert.deepStrictEqual(tools.find((tool) => tool.name === "create_template")?.annotations, {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true
    })
  })
})

describe("the workflow tools", () => {
  it("check_environment_variables and get_aws_session_info show the profile, account and region", async () => {
    const t = await start()
    const env = await t.must("check_environment_variables")
    assert.match(env["environment_token"], /^environment_/)
    assert.strictEqual(env["aws_region"], "us-east-1")
    assert.strictEqual(env["aws_profile"], "test")
    assert.strictEqual(env["security_scanning"], "enabled")
    assert.isFalse(env["readonly_mode"])
    const session = await t.must("get_aws_session_info", { environment_token: env["environment_token"] })
    assert.match(session["credentials_token"], /^credentials_/)
    assert.strictEqual(session["account_id"], "123456789012")
    assert.strictEqual(session["region"], "us-east-1")
    assert.strictEqual(session["aws_auth_type"], "standard_profile")
    assert.isFalse(session["sandbox"])
  })

  it("get_aws_account_info answers without a token", async () => {
    const t = await start({ config: { readOnly: true } })
    const info = await t.must("get_aws_account_info")
    assert.strictEqual(info["account_id"], "123456789012")
    assert.isTrue(info["readonly_mode"])
    assert.isString(info["readonly_message"])
  })

  it("generate → explain → run_checkov → create_resource creates exactly the explained bucket, default tags included", async () => {
    const t = await start()
    const creds = await credentials(t)
    const { generated, explained, explainedToken } = await explainCreate(t, creds, cleanBucket("tools-bucket"))
    assert.match(generated["generated_code_token"], /^generated_code_/)
    assert.strictEqual(generated["plan"]["operation"], "create")
    assert.deepStrictEqual(
      generated["plan"]["tags"]
        .filter((tag: { source: string }) => tag.source === "default")
        .map((tag: { key: string }) => tag.key)
        .sort(),
      ["MANAGED_BY", "MCP_SERVER_SOURCE_CODE", "MCP_SERVER_VERSION"]
    )
    assert.isObject(generated["plan"]["cloudformation_template"]["Resources"])
    assert.include(explained["explanation"], "tools-bucket")
    const scan = await t.must("run_checkov", { explained_token: explainedToken })
    assert.strictEqual(scan["scan_status"], "PASSED")
    assert.deepStrictEqual(scan["failed_check_ids"], [])
    const created = await t.must("create_resource", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      explained_token: explainedToken,
      security_scan_token: scan["security_scan_token"]
    })
    assert.strictEqual(created["status"], "SUCCESS")
    assert.isTrue(created["is_complete"])
    assert.strictEqual(created["identifier"], "tools-bucket")
    assert.strictEqual(created["resource_type"], "AWS::S3::Bucket")
    assert.isString(created["request_token"])
    assert.strictEqual(created["resource_info"]["BucketName"], "tools-bucket")
    const stored = await t.peek("AWS::S3::Bucket", "tools-bucket")
    assert.includeDeepMembers(stored!["Tags"] as Array<unknown>, [{ Key: "MANAGED_BY", Value: "CCAPI-MCP-SERVER" }])
    assert.strictEqual(t.counts.create, 1)
    assert.includeMembers(
      (await t.journal()).map((entry) => entry.event),
      ["explained", "scan", "mutation_submitted", "mutation_outcome"]
    )
  })

  it('accepts the reference\'s explicit defaults (identifier "", patch_document [], region null) on a create', async () => {
    const t = await start()
    const creds = await credentials(t)
    const generated = await t.must("generate_infrastructure_code", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      properties: cleanBucket("defaults-bucket"),
      identifier: "",
      patch_document: [],
      region: null
    })
    assert.strictEqual(generated["plan"]["operation"], "create")
  })

  it("update_resource applies the explained patch", async () => {
    const t = await start()
    const { creds } = await createThroughWorkflow(t, cleanBucket("upd-bucket"))
    const patch = [{ op: "replace", path: "/VersioningConfiguration/Status", value: "Suspended" }]
    const generated = await t.must("generate_infrastructure_code", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      identifier: "upd-bucket",
      patch_document: patch
    })
    assert.strictEqual(generated["plan"]["operation"], "update")
    assert.deepStrictEqual(generated["plan"]["patch_document"], patch)
    const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
    const scan = await t.must("run_checkov", { explained_token: explained["explained_token"] })
    // The scan fails checks: the user accepts them on the approval page.
    const updated = await approvedByPerson(t, "update_resource", {
      resource_type: "AWS::S3::Bucket",
      identifier: "upd-bucket",
      credentials_token: creds,
      explained_token: explained["explained_token"],
      security_scan_token: scan["security_scan_token"]
    })
    assert.strictEqual(updated["status"], "SUCCESS")
    const stored = await t.peek("AWS::S3::Bucket", "upd-bucket")
    assert.deepStrictEqual(stored!["VersioningConfiguration"], { Status: "Suspended" })
  })

  it("explain(operation=delete) → delete_resource(confirmed=true) deletes the explained resource", async () => {
    const t = await start()
    const { creds } = await createThroughWorkflow(t, cleanBucket("del-bucket"))
    const explained = await t.must("explain", {
      content: { resource_type: "AWS::S3::Bucket", identifier: "del-bucket" },
      operation: "delete"
    })
    assert.include(explained["explanation"], "del-bucket")
    // Every delete is the user's decision, on the approval page.
    const deleted = await approvedByPerson(t, "delete_resource", {
      resource_type: "AWS::S3::Bucket",
      identifier: "del-bucket",
      credentials_token: creds,
      explained_token: explained["explained_token"],
      confirmed: true
    })
    assert.strictEqual(deleted["status"], "SUCCESS")
    assert.isUndefined(await t.peek("AWS::S3::Bucket", "del-bucket"))
  })

  it("explain with only content describes it and authorizes nothing", async () => {
    const t = await start()
    const out = await t.must("explain", { content: { Name: "x", Size: 3 }, context: "a config" })
    assert.isUndefined(out["explained_token"])
    assert.isString(out["explanation"])
  })
})

describe("the read tools", () => {
  it("get_resource, list_resources (paged), schema information and request status", async () => {
    const t = await start()
    const { created } = await createThroughWorkflow(t, cleanBucket("read-bucket-1"))
    await createThroughWorkflow(t, cleanBucket("read-bucket-2"))

    const got = await t.must("get_resource", { resource_type: "AWS::S3::Bucket", identifier: "read-bucket-1" })
    assert.strictEqual(got["identifier"], "read-bucket-1")
    assert.strictEqual(got["properties"]["BucketName"], "read-bucket-1")

    const page1 = await t.must("list_resources", { resource_type: "AWS::S3::Bucket", max_results: 1 })
    assert.strictEqual(page1["resources"].length, 1)
    assert.isString(page1["next_token"])
    const page2 = await t.must("list_resources", { resource_type: "AWS::S3::Bucket", next_token: page1["next_token"] })
    assert.sameMembers([...page1["resources"], ...page2["resources"]], ["read-bucket-1", "read-bucket-2"])

    const schema = await t.must("get_resource_schema_information", { resource_type: "AWS::S3::Bucket" })
    assert.deepStrictEqual(schema["primary_identifier"], ["/properties/BucketName"])
    assert.isTrue(schema["taggable"])
    assert.isObject(schema["properties"]["BucketName"])

    const status = await t.must("get_resource_request_status", { request_token: created["request_token"] })
    assert.strictEqual(status["status"], "SUCCESS")
    assert.isTrue(status["is_complete"])
    assert.strictEqual(status["identifier"], "read-bucket-1")
  })

  it("analyze_security scans live properties on get and list without minting a token", async () => {
    const t = await start()
    await createThroughWorkflow(t, unloggedBucket("plain-bucket"))
    const got = await t.must("get_resource", {
      resource_type: "AWS::S3::Bucket",
      identifier: "plain-bucket",
      analyze_security: true
    })
    assert.sameMembers(
      got["security_analysis"]["findings"].map((f: { check_id: string }) => f.check_id),
      ["CKV_AWS_18", "CKV_AWS_21"]
    )
    assert.notInclude(JSON.stringify(got), "security_scan_")
    const listed = await t.must("list_resources", { resource_type: "AWS::S3::Bucket", analyze_security: true })
    assert.strictEqual(listed["security_analysis"]["analyzed_resources"], 1)
  })

  it("create_template exports a live resource through the IaC Generator", async () => {
    const t = await start()
    await createThroughWorkflow(t, cleanBucket("tpl-bucket"))
    const out = await t.must("create_template", {
      resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: "tpl-bucket" } }],
      output_format: "JSON"
    })
    assert.strictEqual(out["status"], "COMPLETE")
    assert.strictEqual(out["source"], "iac-generator")
    assert.include(out["template_body"], "tpl-bucket")
    assert.deepStrictEqual(
      out["resources"].map((r: { resource_type: string }) => r.resource_type),
      ["AWS::S3::Bucket"]
    )
  })

  it("create_template in read-only mode is served from reads, never starting the IaC Generator", async () => {
    const t = await start({ config: { readOnly: true } })
    await t.seed("AWS::S3::Bucket", cleanBucket("ro-tpl-bucket"))
    const out = await t.must("create_template", {
      resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: "ro-tpl-bucket" } }]
    })
    assert.strictEqual(out["source"], "reads")
    assert.include(out["template_body"], "ro-tpl-bucket")
    assert.strictEqual(t.counts.templates, 0)
  })
})

describe("results", () => {
  it("carry structuredContent, and beside it a short text with the token and the next step", async () => {
    const t = await start()
    const out = await t.call("check_environment_variables")
    const text = out.result.content.map((c) => c.text ?? "").join("\n")
    assert.strictEqual(out.result.content.length, 1)
    assert.include(text, `environment_token: ${out.data["environment_token"]}`)
    assert.include(text, out.data["message"])
    assert.include(text, "The result is in structuredContent.")
    // Not the result again: a client of 2025-06-18 or later reads it in structuredContent.
    assert.notInclude(text, '"variables_set"')
  })

  it("strip invisible and bidirectional characters from what AWS returns", async () => {
    const t = await start()
    await createThroughWorkflow(t, {
      ...cleanBucket("bidi-bucket"),
      Tags: [{ Key: "owner", Value: "ali\u202Ece\u200B\u{E0041}" }]
    })
    const got = await t.must("get_resource", { resource_type: "AWS::S3::Bucket", identifier: "bidi-bucket" })
    const owner = got["properties"]["Tags"].find((tag: { Key: string }) => tag.Key === "owner")
    assert.strictEqual(owner.Value, "alice")
    const stored = await t.peek("AWS::S3::Bucket", "bidi-bucket")
    const raw = (stored!["Tags"] as Array<{ Key: string; Value: string }>).find((tag) => tag.Key === "owner")!
    assert.include(raw.Value, "\u202E", "the cloud kept the raw value; the edge stripped it")
  })

  it("report domain failures as isError '<Tag>: <message>'", async () => {
    const t = await start()
    const out = await t.call("get_resource", { resource_type: "AWS::S3::Bucket", identifier: "no-such-bucket" })
    assert.isFalse(out.ok)
    assert.match(out.text, /^ResourceNotFound: /)
    const bad = await t.call("get_resource_schema_information", { resource_type: "S3 bucket" })
    assert.match(bad.text, /^InvalidInput: resource_type/)
  })
})
