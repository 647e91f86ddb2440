import { existsSync, readdirSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

/*
 * What `npm pack` ships must run on its own: the bundle (the entry and its chunks) may import only node built-ins, its
 * own chunks and the packages listed in `dependencies`, and the sandbox's schema data must sit where the bundled
 * testkit looks for it.
 */

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const packageJson = JSON.parse(readFileSync(here("../package.json"), "utf8")) as {
  bin: Record<string, string>
  files: Array<string>
  dependencies: Record<string, string>
}

describe("the package", () => {
  it("imports nothing at runtime beyond node built-ins and its declared dependencies", () => {
    const bundle = readdirSync(here("../dist"))
      .filter((name) => name.endsWith(".js"))
      .map((name) => readFileSync(here(`../dist/${name}`), "utf8"))
      .join("\n")
    const specifiers = new Set(
      [
        ...bundle.matchAll(/(?:^|\n)\s*import\s[^"']*?from\s+["']([^"']+)["']/g),
        ...bundle.matchAll(/import\(["']([^"']+)["']\)/g)
      ]
        .map((match) => match[1]!)
        .filter((specifier) => !specifier.startsWith("./"))
    )
    const packageOf = (specifier: string) =>
      specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))
    const undeclared = [...specifiers].filter(
      (specifier) =>
        !builtins.has(specifier) &&
        !builtins.has(packageOf(specifier)) &&
        !(packageOf(specifier) in packageJson.dependencies)
    )
    assert.deepStrictEqual(undeclared, [])
    assert.include([...specifiers], "node:module")
  })

  it("declares no workspace package as a dependency (they are bundled)", () => {
    assert.deepStrictEqual(
      Object.keys(packageJson.dependencies).filter((name) => name.startsWith("@ccapi/")),
      []
    )
  })

  it("starts with one shebang and ships the sandbox's schema data beside the bundle", () => {
    const bundle = readFileSync(here("../dist/main.js"), "utf8")
    assert.isTrue(bundle.startsWith("#!/usr/bin/env node\n"))
    assert.strictEqual(bundle.match(/#!\/usr\/bin\/env node/g)?.length, 1)
    assert.strictEqual(packageJson.bin["ccapi-mcp-server"], "./bin/ccapi-mcp-server.js")
    assert.include(packageJson.files, "bin")
    assert.include(packageJson.files, "data")
    assert.isTrue(existsSync(here("../data/us-east-1.json.gz")))
  })
})
