import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"

/*
 * Core speaks of workflow steps; the MCP edge names tools and parameters (mcp-server `Wording.ts`). A word of the MCP
 * interface in a core source file — in a message or a comment — is a leak of the edge into the core.
 */

const tools = [
  "check_environment_variables",
  "get_aws_session_info",
  "get_aws_account_info",
  "generate_infrastructure_code",
  "explain",
  "run_checkov",
  "create_resource",
  "update_resource",
  "delete_resource",
  "get_resource",
  "list_resources",
  "get_resource_request_status",
  "get_resource_schema_information",
  "create_template"
]
const parameters = [
  "resource_type",
  "patch_document",
  "accept_findings",
  "skip_security_check",
  "environment_token",
  "credentials_token",
  "generated_code_token",
  "explained_token",
  "security_scan_token",
  "request_token",
  "confirmed=",
  "--readonly"
]
// `explain` is an English word too: only its call form counts.
const words = [...tools.filter((t) => t !== "explain"), "explain(", ...parameters]

const root = join(import.meta.dirname, "..", "src")
const sources = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

describe("core's vocabulary", () => {
  it("names no MCP tool or parameter in any source file", () => {
    const files = sources(root)
    assert.isAbove(files.length, 40)
    const leaks = files.flatMap((file) => {
      const text = readFileSync(file, "utf8")
      return words.filter((word) => text.includes(word)).map((word) => `${relative(root, file)}: ${word}`)
    })
    assert.deepStrictEqual(leaks, [])
  })
})
