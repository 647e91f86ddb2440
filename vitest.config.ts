import { defineConfig } from "vitest/config"

const packages = ["core", "validator", "testkit", "aws-adapter", "checkov-adapter", "sandbox", "mcp-server"]

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      resolve: { conditions: ["@ccapi/source"] },
      ssr: { resolve: { conditions: ["@ccapi/source"] } },
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        env: { AWS_EC2_METADATA_DISABLED: "true" }
      }
    }))
  }
})
