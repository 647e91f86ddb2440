import { execFile } from "node:child_process"
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync
} from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { assert, describe, it } from "@effect/vitest"

/*
 * The commands a user starts from a clone, as the README gives them. The bins are small committed entries (mode 755
 * in git) outside dist/, so npm links them at `npm ci` before any build exists, and no build can drop their exec bit.
 * `.ci/run` runs this suite twice, so the second run checks them after a second build too. Every npm call here runs
 * with npm_config_offline=true: a lookup in the registry fails loudly instead of fetching a stranger's package.
 */

const exec = promisify(execFile)
const repo = fileURLToPath(new URL("../../../", import.meta.url))
const offline = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false" }

const bins = [
  { name: "ccapi-mcp-server", pkg: "packages/mcp-server", usage: /^Usage: ccapi-mcp-server/m },
  { name: "ccapi-sandbox", pkg: "packages/sandbox", usage: /^Usage: ccapi-sandbox/m }
] as const

const binOf = (pkg: string, name: string): string => {
  const manifest = JSON.parse(readFileSync(path.join(repo, pkg, "package.json"), "utf8")) as {
    bin: Record<string, string>
  }
  const target = manifest.bin[name]
  assert.isString(target, `${pkg}/package.json names no bin ${name}`)
  return path.join(repo, pkg, target!)
}

describe.each(bins)("the $name bin", ({ name, pkg, usage }) => {
  it("is a committed, executable file outside dist/ that npm linked at install time", async () => {
    const entry = binOf(pkg, name)
    assert.notInclude(path.relative(path.join(repo, pkg), entry), "dist")
    const staged = await exec("git", ["ls-files", "-s", "--", path.relative(repo, entry)], { cwd: repo })
    assert.match(staged.stdout, /^100755 /, `${entry} must be committed with mode 755`)
    accessSync(entry, constants.X_OK)
    const link = path.join(repo, "node_modules", ".bin", name)
    assert.isTrue(existsSync(link), `npm made no link ${link}`)
    assert.strictEqual(realpathSync(link), realpathSync(entry))
  })

  it("runs from node_modules/.bin as a program (--help)", async () => {
    const { stdout } = await exec(path.join(repo, "node_modules", ".bin", name), ["--help"], {
      cwd: repo,
      env: offline
    })
    assert.match(stdout, usage)
  })
})

describe("starting the server from the repository", () => {
  it("npm exec finds the workspace's own ccapi-mcp-server, offline", async () => {
    const { stdout } = await exec("npm", ["exec", "--no", "--offline", "--", "ccapi-mcp-server", "--version"], {
      cwd: repo,
      env: offline
    })
    const version = (
      JSON.parse(readFileSync(path.join(repo, "packages/mcp-server/package.json"), "utf8")) as {
        version: string
      }
    ).version
    assert.strictEqual(stdout.trim(), version)
  })

  it("the README's command answers initialize and lists the tools (--sandbox)", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["packages/mcp-server/bin/ccapi-mcp-server.js", "--sandbox"],
      cwd: repo,
      env: { ...(offline as Record<string, string>), CCAPI_JOURNAL: "off", CCAPI_SCHEMA_CACHE_DIR: "disabled" },
      stderr: "pipe"
    })
    const client = new Client({ name: "ccapi-bin-test", version: "1.0.0" })
    try {
      await client.connect(transport)
      assert.strictEqual(client.getServerVersion()?.name, "ccapi-mcp-server")
      const { tools } = await client.listTools()
      assert.include(
        tools.map((tool) => tool.name),
        "generate_infrastructure_code"
      )
    } finally {
      await client.close()
    }
  })

  it.each(bins)("$name says how to build when dist/ is missing, instead of a stack trace", async ({ name, pkg }) => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "ccapi-bin-"))
    mkdirSync(path.join(copy, "bin"))
    const entry = path.join(copy, "bin", `${name}.js`)
    copyFileSync(binOf(pkg, name), entry)
    const failure = await exec(process.execPath, [entry, "--help"], { env: offline }).then(
      () => assert.fail("the entry ran without a dist/"),
      (error: { code: number; stderr: string }) => error
    )
    assert.strictEqual(failure.code, 2)
    assert.strictEqual(
      failure.stderr,
      `${name}: dist/main.js is missing; run \`npm run build\` in the repository first.\n`
    )
  })
})
