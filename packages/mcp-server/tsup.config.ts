import { defineConfig } from "tsup"

/*
 * One ESM file for a fast `npx` start. The @ccapi/* workspace packages are bundled from source (the
 * `@ccapi/source` export condition), as are packages not listed in `dependencies` — notably Ajv 8, which must come
 * from the validator's own node_modules, not the hoisted Ajv 6. The npm packages in `dependencies` stay external.
 * No banner: the shebang is the first line of src/main.ts.
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
  }
})
