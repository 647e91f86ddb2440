import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { unscannedBucketCreate } from "./support/Workflow.js"

/*
 * The built bin, spawned with --sandbox as an MCP client spawns it: cdk-from-cfn (outside the bundle, a runtime
 * dependency) is not loaded at start nor by the other formats, and is loaded — and works — on the first CDK conversion.
 */

const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url))
const trace = fileURLToPath(new URL("./support/trace-cdk-from-cfn.mjs", import.meta.url))
const stderr: Array<string> = []
let client: Client

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` (the root pretest does) first.`)
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", trace, bin, "--sandbox"],
    env: { ...env, SECURITY_SCANNING: "disabled", CCAPI_JOURNAL: "off", CCAPI_APPROVAL: "auto" },
    stderr: "pipe"
  })
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")))
  client = new Client({ name: "ccapi-formats-test", version: "1.0.0" })
  await client.connect(transport)
}, 60_000)
afterAll(() => client?.close())

const must = async (name: string, args: Record<string, unknown> = {}) => {
  const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult
  const text = result.content.find((c) => c.type === "text")?.text ?? ""
  if (result.isError) throw new Error(`${name}: ${text}`)
  return result.structuredContent as Record<string, string>
}
const loaded = () => stderr.join("").includes("[trace] cdk-from-cfn resolved")

describe("the built bin's code formats", () => {
  it("loads cdk-from-cfn only for a CDK format, and converts with it", async () => {
    await unscannedBucketCreate(must, "bin-formats")
    const resources = [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: "bin-formats" } }]
    const terraform = await must("create_template", { resources, output_format: "terraform" })
    assert.include(terraform["template_body"], 'id = "bin-formats"')
    assert.isFalse(loaded(), "not loaded at start, nor by the terraform format")
    const cdk = await must("create_template", { resources, output_format: "cdk-typescript" })
    assert.include(cdk["template_body"], "bucketName: 'bin-formats'")
    assert.isTrue(loaded(), "loaded by the CDK conversion")
  }, 120_000)
})
