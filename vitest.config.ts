import { defineConfig } from "vitest/config"

const packages = [
  "core",
  "validator",
  "memory-cloud",
  "testkit",
  "aws-adapter",
  "checkov-adapter",
  "iac-converter",
  "sandbox",
  "redis-store",
  "postgres-journal",
  "mcp-server"
]

// Tests against a real AWS account are opt-in and never collected otherwise (so CI shows no skipped live tests).
const live = process.env["CCAPI_LIVE_AWS"] === "1"

const project = (name: string, root: string, include: Array<string>, env: Record<string, string> = {}) => ({
  resolve: { conditions: ["@ccapi/source"] },
  ssr: { resolve: { conditions: ["@ccapi/source"] } },
  test: {
    name,
    root: `packages/${root}`,
    include,
    exclude: live ? [] : ["test/**/*.live.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_EC2_METADATA_DISABLED: "true", ...env }
  }
})

// The MCP server's tool, workflow and attack tests run once per protocol era: `mcp-server` drives them with the v1
// client (2025-11-25), `mcp-server-2026` with the v2 client pinned to 2026-07-28 (test/support/Clients.ts).
const eraTests = ["Tools", "Adversarial", "Attacks", "Sessions", "Runtime", "Templates"].map((f) => `test/${f}.test.ts`)

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => project(name, name, ["test/**/*.test.ts"])),
      project("mcp-server-2026", "mcp-server", eraTests, { CCAPI_TEST_ERA: "2026-07-28" })
    ]
  }
})
