import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

/*
 * What `npm pack` ships must run on its own: the bundle (the entry and its chunks) may import only node built-ins, its
 * own chunks and the packages listed in `dependencies`, and the sandbox's schema data must sit where the bundled
 * in-memory cloud looks for it. And it ships no test code: no testkit, no fake, no contract suite, no vitest.
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

  it("loads cdk-from-cfn (a 4 MB WebAssembly module) only on a CDK conversion: never imported statically", () => {
    const bundle = readdirSync(here("../dist"))
      .filter((name) => name.endsWith(".js"))
      .map((name) => readFileSync(here(`../dist/${name}`), "utf8"))
      .join("\n")
    assert.lengthOf([...bundle.matchAll(/import\(["']cdk-from-cfn["']\)/g)], 1)
    assert.deepStrictEqual([...bundle.matchAll(/(?:^|\n)\s*import\s[^"'();]*?["']cdk-from-cfn["']/g)], [])
    assert.strictEqual(packageJson.dependencies["cdk-from-cfn"], "0.336.0")
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

/** The files `npm pack` would put in the tarball (a dry run: nothing is written, the registry is not asked). */
const packedFiles = (): ReadonlyArray<string> => {
  const output = execFileSync(
    "npm",
    ["pack", "-w", "@ccapi/mcp-server", "--dry-run", "--json", "--ignore-scripts", "--offline"],
    { cwd: here("../../.."), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
  )
  const [pack] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>
  return pack!.files.map((file) => file.path)
}

/** Test code, by the path of a file in the tarball or of a source in a sourcemap. */
const testCode: ReadonlyArray<readonly [string, RegExp]> = [
  ["testkit", /(^|\/)testkit\//i],
  ["a fake", /(^|\/)Fake[A-Z]\w*\.[cm]?[jt]s$/],
  ["MemoryJournal", /MemoryJournal/],
  ["a contract suite", /(^|\/)contracts\/|Contract\.[cm]?[jt]s$/],
  ["vitest", /(^|\/)(vitest|@vitest|@effect\/vitest)(\/|$)/]
]

const offences = (paths: ReadonlyArray<string>) =>
  paths.flatMap((path) => testCode.filter(([, pattern]) => pattern.test(path)).map(([what]) => `${what}: ${path}`))

/** The chunks a bundle file imports statically (`import … from "./x.js"`, `import "./x.js"`), not `import("./x.js")`. */
const staticImports = (file: string): ReadonlyArray<string> =>
  [
    ...readFileSync(here(`../dist/${file}`), "utf8").matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^"'();]*?["']\.\/([^"']+)["']/g
    )
  ].map((match) => match[1]!)

describe("the packed tarball", () => {
  let packed: ReadonlyArray<string> | undefined
  const tarball = () => (packed ??= packedFiles())
  const bundleFiles = () =>
    tarball()
      .filter((path) => path.startsWith("dist/") && path.endsWith(".js"))
      .map((p) => p.slice(5))
  const sourcesOf = (file: string): ReadonlyArray<string> => {
    const map = JSON.parse(readFileSync(here(`../dist/${file}.map`), "utf8")) as { sources: Array<string> }
    return map.sources
  }

  it("holds the bin, the bundle and the schema data, and no test code", () => {
    const files = tarball()
    assert.includeMembers([...files], ["bin/ccapi-mcp-server.js", "dist/main.js", "data/us-east-1.json.gz"])
    assert.include([...files], "data/PROVENANCE.md")
    assert.deepStrictEqual(offences(files), [])
  })

  it("bundles no test code: every sourcemap's sources are free of testkit, fakes, MemoryJournal, contracts, vitest", () => {
    const bundle = bundleFiles()
    assert.isAbove(bundle.length, 1)
    for (const file of bundle) assert.isTrue(existsSync(here(`../dist/${file}.map`)), `${file} has a sourcemap`)
    const sources = bundle.flatMap(sourcesOf)
    assert.deepStrictEqual(offences(sources), [])
  })

  it("bundles the in-memory cloud the sandbox needs, in a chunk only --sandbox loads", () => {
    const bundle = bundleFiles()
    const wanted = [
      "sandbox/src/SandboxServer.ts",
      "memory-cloud/src/MemoryCloud.ts",
      "memory-cloud/src/MemoryTemplateGenerator.ts",
      "memory-cloud/src/BundledSchemas.ts"
    ]
    const holders = wanted.map((source) => bundle.filter((file) => sourcesOf(file).some((s) => s.endsWith(source))))
    for (const [i, holder] of holders.entries()) assert.lengthOf(holder, 1, `one chunk holds ${wanted[i]}`)
    // What a start without --sandbox loads: main.js and the chunks it imports statically, transitively.
    const loaded = new Set<string>()
    const visit = (file: string): void => {
      if (loaded.has(file)) return
      loaded.add(file)
      for (const imported of staticImports(file)) visit(imported)
    }
    visit("main.js")
    assert.isAbove(loaded.size, 1)
    for (const holder of holders.flat()) assert.isFalse(loaded.has(holder), `${holder} is loaded only with --sandbox`)
  })
})
