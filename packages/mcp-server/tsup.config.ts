import { copyFileSync, mkdirSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "tsup"

const testkitData = (name: string) => fileURLToPath(new URL(`../testkit/data/${name}`, import.meta.url))
const ownData = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))

/*
 * One ESM file for a fast `npx` start. The @ccapi/* workspace packages are bundled from source (the
 * `@ccapi/source` export condition), as are packages not listed in `dependencies` — notably Ajv 8, which must come
 * from the validator's own node_modules, not the hoisted Ajv 6. The npm packages in `dependencies` stay external.
 * No banner: the shebang is the first line of src/main.ts.
 *
 * The sandbox's provider schemas: testkit reads `new URL("../data/us-east-1.json.gz", import.meta.url)`; bundled,
 * `import.meta.url` is dist/main.js, so the data file is copied to <package>/data/ (shipped through `files`).
 */
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  splitting: false,
  dts: false,
  noExternal: [/^@ccapi\//],
  esbuildOptions(options) {
    options.conditions = ["@ccapi/source"]
  },
  onSuccess: async () => {
    mkdirSync(ownData(""), { recursive: true })
    for (const name of ["us-east-1.json.gz", "PROVENANCE.md"]) {
      rmSync(ownData(name), { force: true })
      copyFileSync(testkitData(name), ownData(name))
    }
  }
})
