import { execFile, execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "../src/index.js"

/*
 * The IaC Generator's scan-then-template workflow, end to end through the real AWS CLI (the project's
 * `.venv/aws-clients`, installed by scripts/setup-aws-clients.mjs): resources are created with Cloud Control, a scan
 * runs IN_PROGRESS → COMPLETE, its resources and related resources are listed, an empty template is created and
 * filled with UpdateGeneratedTemplate, GetGeneratedTemplate shows the template in progress and then its body.
 * The CLI parses every answer with botocore's models, so a response of the wrong shape fails here too.
 */

const clientsBin = fileURLToPath(new URL("../../../.venv/aws-clients/bin/", import.meta.url))
const aws = existsSync(`${clientsBin}aws`) ? `${clientsBin}aws` : "aws"
const hasCli = (() => {
  try {
    execFileSync(aws, ["--version"], { stdio: "ignore" })
    return true
  } catch {
    if (process.env["CI"]) throw new Error("the AWS CLI is not installed, and CI must run this test")
    return false
  }
})()

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox({ completionDelayMs: 1500, scanDurationMs: 30_000 })
})
afterAll(() => sandbox.stop())

const cli = (args: ReadonlyArray<string>): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    execFile(
      aws,
      ["--endpoint-url", sandbox.url, "--output", "json", ...args],
      {
        timeout: 60_000,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "AKIDCLI",
          AWS_SECRET_ACCESS_KEY: "cli-secret",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          AWS_EC2_METADATA_DISABLED: "true"
        }
      },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`aws ${args.slice(0, 2).join(" ")} failed: ${stderr}`))
        resolve(stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, unknown>))
      }
    )
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const until = async (
  read: () => Promise<Record<string, unknown>>,
  done: (out: Record<string, unknown>) => boolean
): Promise<{ readonly last: Record<string, unknown>; readonly seen: ReadonlyArray<Record<string, unknown>> }> => {
  const seen: Array<Record<string, unknown>> = []
  for (let i = 0; i < 100; i++) {
    const out = await read()
    seen.push(out)
    if (done(out)) return { last: out, seen }
    await sleep(500)
  }
  throw new Error("never finished")
}

const create = async (typeName: string, desired: object): Promise<string> => {
  const started = (await cli([
    "cloudcontrol",
    "create-resource",
    "--type-name",
    typeName,
    "--desired-state",
    JSON.stringify(desired)
  ])) as { ProgressEvent: { RequestToken: string } }
  const { last } = await until(
    () => cli(["cloudcontrol", "get-resource-request-status", "--request-token", started.ProgressEvent.RequestToken]),
    (out) => (out["ProgressEvent"] as { OperationStatus: string }).OperationStatus !== "IN_PROGRESS"
  )
  const event = last["ProgressEvent"] as { OperationStatus: string; Identifier: string; StatusMessage?: string }
  expect(event.StatusMessage ?? "").toBe("")
  expect(event.OperationStatus).toBe("SUCCESS")
  return event.Identifier
}

describe.skipIf(!hasCli)("the scan-then-template workflow through the AWS CLI", () => {
  it("scans, lists what the scan found and what is related, and makes a template of it", async () => {
    const vpcId = await create("AWS::EC2::VPC", { CidrBlock: "10.0.0.0/16" })
    const subnetId = await create("AWS::EC2::Subnet", { VpcId: vpcId, CidrBlock: "10.0.1.0/24" })
    const bucket = await create("AWS::S3::Bucket", {})

    const { ResourceScanId: scanId } = (await cli(["cloudformation", "start-resource-scan"])) as {
      ResourceScanId: string
    }
    expect(scanId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:resourceScan\/[0-9a-f-]{36}$/)
    const first = await cli(["cloudformation", "describe-resource-scan", "--resource-scan-id", scanId])
    expect(first["Status"]).toBe("IN_PROGRESS")
    expect(first["PercentageCompleted"]).toBeLessThan(100)
    const busy = await cli(["cloudformation", "start-resource-scan"]).catch((e: Error) => e.message)
    expect(busy).toContain("ResourceScanInProgress")
    const early = await cli(["cloudformation", "list-resource-scan-resources", "--resource-scan-id", scanId]).catch(
      (e: Error) => e.message
    )
    expect(early).toContain("ResourceScanInProgress")

    const { last: described } = await until(
      () => cli(["cloudformation", "describe-resource-scan", "--resource-scan-id", scanId]),
      (out) => out["Status"] === "COMPLETE"
    )
    expect(described["PercentageCompleted"]).toBe(100)
    expect(described["ResourcesScanned"]).toBe(3)
    expect(described["ResourceTypes"]).toEqual(["AWS::EC2::Subnet", "AWS::EC2::VPC", "AWS::S3::Bucket"])

    const scans = (await cli(["cloudformation", "list-resource-scans"])) as {
      ResourceScanSummaries: ReadonlyArray<{ ResourceScanId: string; Status: string }>
    }
    expect(scans.ResourceScanSummaries.map((s) => [s.ResourceScanId, s.Status])).toContainEqual([scanId, "COMPLETE"])

    const found = (await cli(["cloudformation", "list-resource-scan-resources", "--resource-scan-id", scanId])) as {
      Resources: ReadonlyArray<{ ResourceType: string; ResourceIdentifier: Record<string, string> }>
    }
    expect(found.Resources).toContainEqual({
      ResourceType: "AWS::EC2::VPC",
      ResourceIdentifier: { VpcId: vpcId },
      ManagedByStack: false
    })
    expect(found.Resources).toHaveLength(3)
    const ec2 = (await cli([
      "cloudformation",
      "list-resource-scan-resources",
      "--resource-scan-id",
      scanId,
      "--resource-type-prefix",
      "AWS::EC2::"
    ])) as { Resources: ReadonlyArray<{ ResourceType: string }> }
    expect(ec2.Resources.map((r) => r.ResourceType).sort()).toEqual(["AWS::EC2::Subnet", "AWS::EC2::VPC"])

    const related = (await cli([
      "cloudformation",
      "list-resource-scan-related-resources",
      "--resource-scan-id",
      scanId,
      "--resources",
      JSON.stringify([{ ResourceType: "AWS::EC2::VPC", ResourceIdentifier: { VpcId: vpcId } }])
    ])) as { RelatedResources: ReadonlyArray<{ ResourceType: string; ResourceIdentifier: Record<string, string> }> }
    expect(related.RelatedResources.map((r) => [r.ResourceType, r.ResourceIdentifier])).toEqual([
      ["AWS::EC2::Subnet", { SubnetId: subnetId }]
    ])

    // An empty template is allowed; it is then filled with what the scan found.
    const { GeneratedTemplateId: templateArn } = (await cli([
      "cloudformation",
      "create-generated-template",
      "--generated-template-name",
      "from-scan"
    ])) as { GeneratedTemplateId: string }
    expect(templateArn).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:generatedtemplate\/[0-9a-f-]{36}$/i)
    const updated = (await cli([
      "cloudformation",
      "update-generated-template",
      "--generated-template-name",
      "from-scan",
      "--new-generated-template-name",
      "network",
      "--add-resources",
      JSON.stringify(
        [...related.RelatedResources, { ResourceType: "AWS::EC2::VPC", ResourceIdentifier: { VpcId: vpcId } }].map(
          (r) => ({ ResourceType: r.ResourceType, ResourceIdentifier: r.ResourceIdentifier })
        )
      ),
      "--template-configuration",
      "DeletionPolicy=DELETE"
    ])) as { GeneratedTemplateId: string }
    expect(updated.GeneratedTemplateId).toBe(templateArn)

    const pending = (await cli([
      "cloudformation",
      "get-generated-template",
      "--generated-template-name",
      "network"
    ])) as {
      Status: string
      TemplateBody?: string
    }
    expect(pending.Status).not.toBe("COMPLETE")
    expect(pending.Status).toMatch(/PENDING|IN_PROGRESS/)
    expect(pending.TemplateBody).toBeUndefined()

    await until(
      () => cli(["cloudformation", "describe-generated-template", "--generated-template-name", "network"]),
      (out) => out["Status"] === "COMPLETE"
    )
    const done = (await cli([
      "cloudformation",
      "get-generated-template",
      "--generated-template-name",
      templateArn
    ])) as {
      Status: string
      TemplateBody: string
    }
    expect(done.Status).toBe("COMPLETE")
    const body = JSON.parse(done.TemplateBody) as {
      Resources: Record<string, { Type: string; DeletionPolicy: string; Properties: Record<string, unknown> }>
    }
    const resources = Object.values(body.Resources)
    expect(resources.map((r) => r.Type).sort()).toEqual(["AWS::EC2::Subnet", "AWS::EC2::VPC"])
    expect(resources.every((r) => r.DeletionPolicy === "Delete")).toBe(true)
    expect(resources.find((r) => r.Type === "AWS::EC2::Subnet")!.Properties["VpcId"]).toBe(vpcId)
    expect(bucket).toMatch(/^bucket-/)

    const listed = (await cli(["cloudformation", "list-generated-templates"])) as {
      Summaries: ReadonlyArray<{ GeneratedTemplateName: string; NumberOfResources: number }>
    }
    expect(listed.Summaries.map((s) => [s.GeneratedTemplateName, s.NumberOfResources])).toContainEqual(["network", 2])
  }, 300_000)

  it("ListTypes: AWS's defaults (PRIVATE lists nothing here), filters and paging", async () => {
    const mine = (await cli(["cloudformation", "list-types"])) as { TypeSummaries: ReadonlyArray<unknown> }
    expect(mine.TypeSummaries).toEqual([])
    const first = (await cli([
      "cloudformation",
      "list-types",
      "--visibility",
      "PUBLIC",
      "--filters",
      "TypeNamePrefix=AWS::EKS::",
      "--max-items",
      "100",
      "--page-size",
      "2"
    ])) as { TypeSummaries: ReadonlyArray<{ TypeName: string; TypeArn: string }> }
    const names = first.TypeSummaries.map((t) => t.TypeName)
    expect(names.length).toBeGreaterThan(2)
    expect(names).toContain("AWS::EKS::Nodegroup")
    expect(names.every((n) => n.startsWith("AWS::EKS::"))).toBe(true)
    expect(first.TypeSummaries[0]!.TypeArn).toMatch(/^arn:aws:cloudformation:us-east-1::type\/resource\/AWS-EKS-/)
    const legacy = (await cli([
      "cloudformation",
      "list-types",
      "--visibility",
      "PUBLIC",
      "--provisioning-type",
      "NON_PROVISIONABLE",
      "--filters",
      "TypeNamePrefix=AWS::CodeCommit::"
    ])) as { TypeSummaries: ReadonlyArray<{ TypeName: string }> }
    expect(legacy.TypeSummaries.map((t) => t.TypeName)).toEqual(["AWS::CodeCommit::Repository"])
  }, 120_000)
})
