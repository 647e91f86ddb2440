import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { parse as parseHcl } from "@cdktf/hcl2json"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"
import { parse } from "yaml"
import { cleanBucket, createThroughWorkflow, useTestServers } from "./support/TestServer.js"

/*
 * create_template's code formats through the MCP tools: the IaC Generator's (or, read-only, the reads') template
 * converted to Terraform (awscc) or CDK; a conversion that fails still returns the CloudFormation template; and
 * session_changes exports what the session itself created or updated.
 */

const start = useTestServers()
const BUCKET = "AWS::S3::Bucket"
const bucket = (name: string) => ({ ResourceType: BUCKET, ResourceIdentifier: { BucketName: name } })

describe("create_template as Terraform and CDK", () => {
  it("writes the IaC Generator's template as Terraform for awscc, with an import block per resource", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("tf-one"))
    const queue = await t.seed("AWS::SQS::Queue", { QueueName: "tf-queue", VisibilityTimeout: 60 })
    const other = await t.seed("AWS::SQS::Queue", { QueueName: "tf-other", VisibilityTimeout: 30 })
    const out = await t.must("create_template", {
      resources: [
        bucket("tf-one"),
        { ResourceType: "AWS::SQS::Queue", ResourceIdentifier: { QueueUrl: other.identifier } },
        { ResourceType: "AWS::SQS::Queue", ResourceIdentifier: { QueueUrl: queue.identifier } }
      ],
      output_format: "Terraform"
    })
    assert.strictEqual(out["format"], "terraform")
    assert.strictEqual(out["source"], "iac-generator")
    assert.isUndefined(out["conversion_error"])
    const body: string = out["template_body"]
    assert.include(body, 'source = "hashicorp/awscc"')
    assert.match(body, /resource "awscc_s3_bucket" "(\w+)" \{\n {2}bucket_name = "tf-one"\n/)
    assert.include(body, 'versioning_configuration = {\n    status = "Enabled"\n  }')
    assert.match(body, /import \{\n {2}to = awscc_s3_bucket\.\w+\n {2}id = "tf-one"\n\}/)
    // A queue's primary identifier (QueueUrl) is read-only, so it is not in the template: it comes from the request,
    // and of two queues, each is told apart by its live properties.
    const queueBlock =
      /resource "awscc_sqs_queue" "(\w+)" \{\n {2}queue_name = "tf-queue"\n {2}visibility_timeout = 60\n/.exec(body)
    const otherBlock =
      /resource "awscc_sqs_queue" "(\w+)" \{\n {2}queue_name = "tf-other"\n {2}visibility_timeout = 30\n/.exec(body)
    assert.isNotNull(queueBlock)
    assert.isNotNull(otherBlock)
    assert.include(body, `import {\n  to = awscc_sqs_queue.${queueBlock![1]}\n  id = "${queue.identifier}"\n}`)
    assert.include(body, `import {\n  to = awscc_sqs_queue.${otherBlock![1]}\n  id = "${other.identifier}"\n}`)
    assert.isUndefined(out["warnings"])
    assert.include(out["next_step"], "terraform plan")
    assert.deepStrictEqual(
      out["resources"].map((r: { resource_type: string }) => r.resource_type),
      [BUCKET, "AWS::SQS::Queue", "AWS::SQS::Queue"]
    )
    assert.strictEqual(t.counts.templates, 1)
  })

  it("writes CDK TypeScript and Python stack classes from the same template", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("cdk-one"))
    const stacks = [
      {
        asked: { output_format: "cdk-typescript", template_name: "web-app" },
        format: "cdk-typescript",
        says: [
          "export class WebAppStack extends cdk.Stack",
          "new s3.CfnBucket(this, ",
          "bucketName: 'cdk-one'",
          "cdk.CfnDeletionPolicy.RETAIN"
        ]
      },
      {
        asked: { output_format: "CDK-Python", template_name: "web-app-py" },
        format: "cdk-python",
        says: ["class WebAppPyStack(Stack):", "bucket_name = 'cdk-one'"]
      }
    ]
    for (const { asked, format, says } of stacks) {
      const out = await t.must("create_template", { resources: [bucket("cdk-one")], ...asked })
      assert.strictEqual(out["format"], format)
      for (const text of says) assert.include(out["template_body"], text, format)
      assert.include(out["next_step"], "cdk import", format)
    }
  })

  it("works read-only: the template comes from reads and nothing is written, the IaC Generator included", async () => {
    const t = await start({ config: { readOnly: true } })
    await t.seed(BUCKET, cleanBucket("ro-tf"))
    const out = await t.must("create_template", { resources: [bucket("ro-tf")], output_format: "terraform" })
    assert.strictEqual(out["source"], "reads")
    assert.strictEqual(out["format"], "terraform")
    assert.isUndefined(out["template_id"])
    assert.match(out["template_body"], /import \{\n {2}to = awscc_s3_bucket\.s3_bucket\n {2}id = "ro-tf"\n\}/)
    assert.include(out["next_step"], "because the server is read-only")
    const cdk = await t.must("create_template", { resources: [bucket("ro-tf")], output_format: "cdk-typescript" })
    assert.include(cdk["template_body"], "bucketName: 'ro-tf'")
    assert.deepStrictEqual([t.counts.templates, t.counts.create, t.counts.update, t.counts.delete], [0, 0, 0, 0])
  })

  it("a conversion that fails says why and still returns the CloudFormation template (YAML)", async () => {
    const t = await start()
    // AWS::AppSync::Api is newer than the resource specification cdk-from-cfn was built with.
    const api = await t.seed("AWS::AppSync::Api", { Name: "events-api" })
    const resources = [{ ResourceType: "AWS::AppSync::Api", ResourceIdentifier: { ApiArn: api.identifier } }]
    const out = await t.call("create_template", { resources, output_format: "cdk-typescript" })
    assert.isTrue(out.ok, out.text)
    assert.strictEqual(out.data["format"], "YAML")
    assert.match(
      out.data["conversion_error"],
      /^ConversionFailed \(cdk-typescript\): cdk-from-cfn cannot write this template: .*AWS::AppSync::Api/
    )
    assert.include(out.data["conversion_error"], 'the "terraform" format')
    assert.include(out.data["next_step"], "could not be written as cdk-typescript")
    const template = parse(out.data["template_body"])
    assert.strictEqual(Object.values<{ Type: string }>(template["Resources"])[0]!.Type, "AWS::AppSync::Api")
    // Terraform is written from the provider schema, so the same resource converts there.
    const tf = await t.must("create_template", { resources, output_format: "terraform" })
    assert.include(tf["template_body"], 'resource "awscc_appsync_api"')
    assert.include(tf["template_body"], 'name = "events-api"')
  })

  it("a template still being generated is fetched later with template_id, in the format asked for again", async () => {
    const t = await start({ config: { templateWaitSeconds: 0 } })
    await t.seed(BUCKET, cleanBucket("later-tf"))
    const pending = await t.must("create_template", { resources: [bucket("later-tf")], output_format: "terraform" })
    assert.isUndefined(pending["template_body"])
    assert.include(pending["next_step"], `template_id="${pending["template_id"]}" and output_format="terraform"`)
    const later = await t.must("create_template", { template_id: pending["template_id"], output_format: "terraform" })
    assert.strictEqual(later["format"], "terraform")
    // Fetched by id, the asked-for resources are not known: the bucket's identifier comes from its properties.
    assert.match(later["template_body"], /import \{\n {2}to = awscc_s3_bucket\.\w+\n {2}id = "later-tf"\n\}/)
  })

  it("refuses an unknown format with every valid one named, before anything is generated", async () => {
    const t = await start()
    const out = await t.call("create_template", { resources: [bucket("x")], output_format: "pulumi" })
    assert.isFalse(out.ok)
    assert.include(out.text, '"cdk-typescript" | "cdk-python" | "terraform"')
    assert.strictEqual(t.counts.templates, 0)
  })
})

describe("create_template session_changes", () => {
  it("exports what this session created and updated, not what it deleted or did not touch", async () => {
    const t = await start({ elicitation: "approve" })
    await t.seed(BUCKET, cleanBucket("not-mine"))
    await t.seed(BUCKET, cleanBucket("not-touched"))
    const kept = await createThroughWorkflow(t, cleanBucket("sess-kept"))
    const gone = await createThroughWorkflow(t, cleanBucket("sess-gone"))
    // An update of a bucket someone else made: now it is one this session changed.
    const update = await t.must("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: kept.creds,
      identifier: "not-mine",
      patch_document: [{ op: "add", path: "/Tags", value: [{ Key: "owner", Value: "session" }] }]
    })
    const explainedUpdate = await t.must("explain", { generated_code_token: update["generated_code_token"] })
    const scan = await t.must("run_checkov", { explained_token: explainedUpdate["explained_token"] })
    await t.must("update_resource", {
      resource_type: BUCKET,
      identifier: "not-mine",
      credentials_token: kept.creds,
      explained_token: explainedUpdate["explained_token"],
      security_scan_token: scan["security_scan_token"],
      ...(scan["passed"] ? {} : { accept_findings: scan["failed_check_ids"] })
    })
    const del = await t.must("explain", {
      content: { resource_type: BUCKET, identifier: gone.identifier },
      operation: "delete"
    })
    await t.must("delete_resource", {
      resource_type: BUCKET,
      identifier: gone.identifier,
      credentials_token: kept.creds,
      explained_token: del["explained_token"],
      confirmed: true
    })
    const out = await t.must("create_template", { session_changes: true, output_format: "JSON" })
    const template = JSON.parse(out["template_body"])
    const names = Object.values<{ Properties: { BucketName: string } }>(template["Resources"]).map(
      (r) => r.Properties.BucketName
    )
    assert.deepStrictEqual(names, ["sess-kept", "not-mine"])
    const tf = await t.must("create_template", { session_changes: true, output_format: "terraform" })
    assert.include(tf["template_body"], 'id = "sess-kept"')
    assert.include(tf["template_body"], 'id = "not-mine"')
    assert.notInclude(tf["template_body"], "sess-gone")
    assert.notInclude(tf["template_body"], "not-touched")
  })

  it("a session that changed nothing is told so; another session's changes are not its own", async () => {
    const t = await start()
    await createThroughWorkflow(t, cleanBucket("first-session"))
    const other = await t.connectSession()
    const out = await other.call("create_template", { session_changes: true })
    assert.isFalse(out.ok)
    assert.match(out.text, /^InvalidInput: This session has created or updated no resources in us-east-1 yet/)
    const mine = await t.must("create_template", { session_changes: true, resources: [bucket("first-session")] })
    // Asked for both ways, the bucket is in the template once.
    assert.lengthOf(Object.keys(parse(mine["template_body"])["Resources"]), 1)
  })
})

describe("create_template code formats under attack: text from the model or the account stays text", () => {
  const hostile =
    'x"\n}\nresource "awscc_iam_role" "evil" {\n  role_name = "pwn"\n}\n# ${file("~/.aws/credentials")} %{if true}'

  it("a property value cannot add Terraform blocks or interpolate", async () => {
    const t = await start()
    await t.seed(BUCKET, { ...cleanBucket("tf-attack"), Tags: [{ Key: "note", Value: hostile }] })
    const out = await t.must("create_template", { resources: [bucket("tf-attack")], output_format: "terraform" })
    const hcl = (await parseHcl("main.tf", out["template_body"])) as {
      resource: Record<string, Record<string, Array<Record<string, unknown>>>>
    }
    assert.deepStrictEqual(Object.keys(hcl.resource), ["awscc_s3_bucket"])
    const [block] = Object.values(hcl.resource["awscc_s3_bucket"]!)
    const tags = block![0]!["tags"] as Array<{ key: string; value: string }>
    // The parser's JSON keeps a literal "${" and "%{" as "$${" and "%%{": they are text, not expressions.
    assert.deepStrictEqual(tags, [{ key: "note", value: hostile.split("${").join("$${").split("%{").join("%%{") }])
  })

  it("a template name cannot end the CDK comment or docstring it is written into and become code", async () => {
    const t = await start()
    await t.seed(BUCKET, cleanBucket("cdk-attack"))
    const template_name = 'x */ process.exit(1); /* """ import os; os.system("id") """ \\'
    const tsOut = await t.must("create_template", {
      resources: [bucket("cdk-attack")],
      output_format: "cdk-typescript",
      template_name
    })
    const source = ts.createSourceFile("stack.ts", tsOut["template_body"], ts.ScriptTarget.ES2022, true)
    const parseErrors = (source as unknown as { parseDiagnostics: ReadonlyArray<unknown> }).parseDiagnostics
    assert.lengthOf(parseErrors, 0)
    assert.deepStrictEqual(
      source.statements.filter((s) => ts.isExpressionStatement(s)).map((s) => s.getText()),
      []
    )
    const pyOut = await t.must("create_template", {
      resources: [bucket("cdk-attack")],
      output_format: "cdk-python",
      template_name: `${template_name} py`
    })
    const dir = mkdtempSync(path.join(os.tmpdir(), "ccapi-py-"))
    try {
      writeFileSync(path.join(dir, "stack.py"), pyOut["template_body"])
      await promisify(execFile)("python3", ["-m", "py_compile", path.join(dir, "stack.py")])
      // Python's own parser: the top level is the imports of aws_cdk and constructs, strings, and the class.
      const { stdout } = await promisify(execFile)("python3", [
        "-c",
        "import ast, json, sys; print(json.dumps([[type(n).__name__, [a.name for a in getattr(n, 'names', [])], getattr(n, 'module', None)] for n in ast.parse(open(sys.argv[1]).read()).body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]))",
        path.join(dir, "stack.py")
      ])
      const statements = JSON.parse(stdout) as Array<[string, Array<string>, string | null]>
      for (const [kind, names, module] of statements) {
        if (kind === "ClassDef") continue
        assert.include(["Import", "ImportFrom"], kind)
        for (const name of [module ?? "", ...names].filter((n) => n !== ""))
          assert.match(name, /^(aws_cdk|constructs|Stack|Construct)(\.|$)/, `import of ${name}`)
      }
      assert.lengthOf(
        statements.filter(([kind]) => kind === "ClassDef"),
        1
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
