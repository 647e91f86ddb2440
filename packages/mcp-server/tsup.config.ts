import { randomUUID } from "node:crypto"
import { copyFileSync, mkdirSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "tsup"

const memoryCloudData = (name: string) => fileURLToPath(new URL(`../memory-cloud/data/${name}`, import.meta.url))
const ownData = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))
const dist = (name: string) => fileURLToPath(new URL(`./dist/${name}`, import.meta.url))

/** Ties dist/front.js to the handshake answers recorded from this build's dist/main.js (see scripts/handshake-data.mjs). */
const buildId = randomUUID()

/*
 * Everything bundled for a fast `npx` start: resolving and loading hundreds of files from node_modules (Effect, the AWS
 * SDK, the MCP SDK) took half of the cold start. The @ccapi/* workspace packages come from source (the `@ccapi/source`
 * export condition); ESM builds are preferred (`module` before `main`); code-split chunks keep the SDK's lazily
 * imported credential providers lazy. Ajv 8 is resolved from the validator's own node_modules, not the hoisted Ajv 6.
 * The banner gives the few CommonJS modules left a `require`; the shebang stays the first line (it is in src/main.ts,
 * and esbuild keeps it above the banner).
 *
 * The sandbox (and the in-memory cloud behind it) is imported only with `--sandbox`, so it lands in a chunk of its own
 * that a normal start never loads. Its provider schemas: @ccapi/memory-cloud reads
 * `new URL("../data/us-east-1.json.gz", import.meta.url)`; bundled, `import.meta.url` is a file in dist/, so the data
 * file is copied to <package>/data/ (shipped through `files`).
 *
 * cdk-from-cfn (create_template's CDK formats) stays outside the bundle, a runtime dependency: it reads its WebAssembly
 * binary from beside its own index.js. The converter imports it on first use, so a start never loads it.
 *
 * Two entries: dist/main.js, the full server, and dist/front.js, the bin's handshake front (Node.js built-ins only,
 * no chunk shared with main). After the build, scripts/handshake-data.mjs starts dist/main.js in every setting that
 * changes the tool list and records its `initialize` and `tools/list` answers into dist/handshake.js, under this
 * build's id (compiled into front.js as `__CCAPI_BUILD_ID__`): the front answers from them only when the ids match.
 */
export default defineConfig({
  entry: { main: "src/main.ts", front: "src/front.ts" },
  format: ["esm"],
  platform: "node",
  target: "node22",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  splitting: true,
  // dist/metafile-esm.json: what each chunk holds (the bench's start anatomy reads it; not shipped).
  metafile: true,
  dts: false,
  noExternal: [/^(?!cdk-from-cfn$).*/],
  external: ["cdk-from-cfn"],
  // @redis/client imports @node-rs/xxhash on demand for a `digest` helper ccapi never calls; bundle a stand-in that
  // fails like a missing package would, so the bundle imports nothing undeclared.
  esbuildPlugins: [
    {
      name: "absent-optional-packages",
      setup(build) {
        build.onResolve({ filter: /^@node-rs\/xxhash$/ }, (args) => ({ path: args.path, namespace: "absent" }))
        build.onLoad({ filter: /.*/, namespace: "absent" }, (args) => ({
          contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled with ccapi-mcp-server`)})`,
          loader: "js"
        }))
      }
    }
  ],
  esbuildOptions(options) {
    options.conditions = ["@ccapi/source"]
    options.mainFields = ["module", "main"]
    options.define = { ...options.define, __CCAPI_BUILD_ID__: JSON.stringify(buildId) }
    options.banner = {
      js: 'import { createRequire as __ccapiCreateRequire } from "node:module"; const require = __ccapiCreateRequire(import.meta.url);'
    }
  },
  onSuccess: async () => {
    mkdirSync(ownData(""), { recursive: true })
    for (const name of ["us-east-1.json.gz", "PROVENANCE.md"]) {
      rmSync(ownData(name), { force: true })
      copyFileSync(memoryCloudData(name), ownData(name))
    }
    // @ts-expect-error: a plain ES module script without type declarations.
    const { recordHandshake } = (await import("./scripts/handshake-data.mjs")) as {
      recordHandshake: (options: { main: string; out: string; buildId: string }) => Promise<unknown>
    }
    await recordHandshake({ main: dist("main.js"), out: dist("handshake.js"), buildId })
  }
})
