#!/usr/bin/env node
// The ccapi-sandbox command. It exists before the first build, so npm links it at install time; it turns on
// Node's compile cache (later starts skip compiling) and then loads the build in dist/ (`npm run build` makes it).
import { existsSync } from "node:fs"
import module from "node:module"

const main = new URL("../dist/main.js", import.meta.url)
if (!existsSync(main)) {
  process.stderr.write("ccapi-sandbox: dist/main.js is missing; run `npm run build` in the repository first.\n")
  process.exit(2)
}
module.enableCompileCache?.()
await import(main.href)
