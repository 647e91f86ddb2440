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

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      resolve: { conditions: ["@ccapi/source"] },
      ssr: { resolve: { conditions: ["@ccapi/source"] } },
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        exclude: live ? [] : ["test/**/*.live.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        env: { AWS_EC2_METADATA_DISABLED: "true" }
      }
    }))
  }
})
