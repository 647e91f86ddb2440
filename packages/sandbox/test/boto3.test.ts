import { execFile, execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "../src/index.js"

const script = fileURLToPath(new URL("./boto3_roundtrip.py", import.meta.url))
const conformance = fileURLToPath(new URL("./conformance.py", import.meta.url))

const available = (command: string, args: ReadonlyArray<string>): boolean => {
  try {
    execFileSync(command, args, { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}
// The project's own clients (`node scripts/setup-aws-clients.mjs`, run by `npm test`), else whatever is on PATH.
const clientsBin = fileURLToPath(new URL("../../../.venv/aws-clients/bin/", import.meta.url))
const python = existsSync(`${clientsBin}python`) ? `${clientsBin}python` : "python3"
const aws = existsSync(`${clientsBin}aws`) ? `${clientsBin}aws` : "aws"
const hasBoto3 = available(python, ["-c", "import boto3"])
const hasCli = available(aws, ["--version"])

/** Off CI a missing client is a skip (with the reason); on CI it is a failure. */
const requireClient = (present: boolean, what: string) => {
  if (!present && process.env["CI"]) throw new Error(`${what} is not installed, and CI must run this test`)
  return present
}

const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    execFile(command, [...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error === null ? 0 : typeof error.code === "number" ? error.code : 1 })
    )
  })

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox({ completionDelayMs: 100 })
})
afterAll(() => sandbox.stop())

const clientEnv = () => ({
  AWS_ENDPOINT_URL: sandbox.url,
  AWS_ACCESS_KEY_ID: "AKIDBOTO3",
  AWS_SECRET_ACCESS_KEY: "boto3-secret",
  AWS_DEFAULT_REGION: "eu-west-1",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_EC2_METADATA_DISABLED: "true"
})

describe("clients nobody here wrote", () => {
  it.skipIf(!requireClient(hasBoto3, "python3 with boto3"))(
    "conformance: every operation's answers (and refusals) satisfy botocore's output shapes and modelled errors",
    async () => {
      const { code, stderr, stdout } = await run(python, [conformance], {
        ...clientEnv(),
        AWS_DEFAULT_REGION: "us-east-1"
      })
      const report = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
        operations?: ReadonlyArray<string>
        problems?: ReadonlyArray<string>
      }
      expect(report.problems).toEqual([])
      expect(code, stderr).toBe(0)
      const distinct = new Set((report.operations ?? []).map((o) => o.split("!")[0]))
      // 8 Cloud Control operations, 13 CloudFormation ones, STS.
      expect(distinct.size).toBe(22)
    },
    120_000
  )

  it.skipIf(!requireClient(hasBoto3, "python3 with boto3"))(
    "boto3 creates, reads, lists, updates and deletes a resource and calls DescribeType through AWS_ENDPOINT_URL",
    async () => {
      const { code, stdout, stderr } = await run(python, [script], clientEnv())
      expect(stderr.split("\n").filter((l) => l.startsWith("boto3_roundtrip:"))).toEqual([])
      expect(code).toBe(0)
      const report = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>
      expect(report).toMatchObject({
        account: "123456789012",
        identifier: "/ccapi/boto3-roundtrip",
        afterDelete: "ResourceNotFoundException",
        unknownType: "TypeNotFoundException"
      })
      expect((report["createStatuses"] as Array<string>).at(-1)).toBe("SUCCESS")
    }
  )

  it.skipIf(!requireClient(hasCli, "the AWS CLI"))(
    "the AWS CLI lists resources and describes a type through --endpoint-url",
    async () => {
      const listed = await run(
        aws,
        ["cloudcontrol", "list-resources", "--type-name", "AWS::Logs::LogGroup", "--endpoint-url", sandbox.url],
        clientEnv()
      )
      expect(listed.stderr).toBe("")
      expect(JSON.parse(listed.stdout)).toMatchObject({ TypeName: "AWS::Logs::LogGroup", ResourceDescriptions: [] })
      const described = await run(
        aws,
        [
          "cloudformation",
          "describe-type",
          "--type",
          "RESOURCE",
          "--type-name",
          "AWS::Logs::LogGroup",
          "--endpoint-url",
          sandbox.url
        ],
        clientEnv()
      )
      expect(described.code).toBe(0)
      const schema = JSON.parse((JSON.parse(described.stdout) as { Schema: string }).Schema) as { typeName: string }
      expect(schema.typeName).toBe("AWS::Logs::LogGroup")
      const missing = await run(
        aws,
        ["cloudcontrol", "get-resource", "--type-name", "AWS::Logs::LogGroup", "--identifier", "nope"],
        clientEnv()
      )
      expect(missing.code).not.toBe(0)
      expect(missing.stderr).toContain("ResourceNotFoundException")
    }
  )
})
