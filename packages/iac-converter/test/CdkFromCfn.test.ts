import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { JsonObject } from "@ccapi/core"
import ts from "typescript"
import { stackClassName } from "../src/index.js"
import { commonResources } from "./support/CommonResources.js"
import { makeExporter } from "./support/Exports.js"

/*
 * CDK code, checked by using it: the TypeScript type-checks against aws-cdk-lib (a pinned dev dependency) with the
 * TypeScript compiler, and the app synthesized with aws-cdk-lib (`app.synth()`, run with tsx) gives a template with
 * the source's resources, properties and deletion policies; the Python compiles (`python3 -m py_compile`).
 */

const run = promisify(execFile)
const exporter = makeExporter()
// Inside the package, so that the generated code resolves aws-cdk-lib from its node_modules.
const work = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), ".cdk-check-"))
let resources: Awaited<ReturnType<typeof exporter.seed>>
let source: JsonObject

beforeAll(async () => {
  resources = await exporter.seed(commonResources)
  source = JSON.parse((await exporter.exportAs("JSON", resources, "cdk-source")).body!) as JsonObject
}, 120_000)
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await exporter.dispose()
})

const sourceResources = () => source["Resources"] as Record<string, JsonObject>

describe(`CDK TypeScript from the IaC Generator's template of ${commonResources.length} common types`, () => {
  it("type-checks against aws-cdk-lib and synthesizes to the same resources, properties and policies", async () => {
    const out = await exporter.exportAs("cdk-typescript", resources, "orders service")
    assert.isUndefined(out.conversionError)
    assert.strictEqual(out.format, "cdk-typescript")
    const className = stackClassName("orders service")
    assert.strictEqual(className, "OrdersServiceStack")
    const dir = join(work, "ts")
    mkdirSync(dir)
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
    writeFileSync(join(dir, "stack.ts"), out.body!)
    writeFileSync(
      join(dir, "app.ts"),
      [
        'import * as cdk from "aws-cdk-lib"',
        `import { ${className} } from "./stack.js"`,
        "const app = new cdk.App({ analyticsReporting: false })",
        `new ${className}(app, "Exported")`,
        'process.stdout.write(JSON.stringify(app.synth().getStackByName("Exported").template))'
      ].join("\n")
    )
    const program = ts.createProgram([join(dir, "app.ts"), join(dir, "stack.ts")], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: ["node"]
    })
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))
    assert.deepStrictEqual(diagnostics, [])

    const { stdout } = await run(process.execPath, ["--import", "tsx", join(dir, "app.ts")], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024
    })
    const omitted = new Set(
      (out.warnings ?? [])
        .filter((w) => w.startsWith("Left out at their schema default"))
        .flatMap((w) => w.slice(w.indexOf(": ") + 2, -1).split(", "))
    )
    const synthesized = (JSON.parse(stdout) as { Resources: Record<string, JsonObject> }).Resources
    assert.sameMembers(Object.keys(synthesized), Object.keys(sourceResources()))
    const types = new Set<string>()
    for (const [logicalId, resource] of Object.entries(sourceResources())) {
      const synth = synthesized[logicalId]!
      types.add(resource["Type"] as string)
      assert.strictEqual(synth["Type"], resource["Type"], logicalId)
      // Properties at their schema default are left out of the code (AWS applies the default), and the warning says so.
      const expected = Object.fromEntries(
        Object.entries((resource["Properties"] ?? {}) as JsonObject).filter(
          ([name]) => !omitted.has(`${logicalId}.${name}`)
        )
      )
      assert.deepStrictEqual(synth["Properties"] ?? {}, expected, logicalId)
      assert.strictEqual(synth["DeletionPolicy"], resource["DeletionPolicy"], logicalId)
      assert.strictEqual(synth["UpdateReplacePolicy"], resource["UpdateReplacePolicy"], logicalId)
    }
    assert.isAtLeast(types.size, 15)
  }, 180_000)
})

describe(`CDK Python from the same template`, () => {
  it("compiles with python3 -m py_compile and names every resource's construct", async () => {
    const out = await exporter.exportAs("cdk-python", resources, "orders service py")
    assert.isUndefined(out.conversionError)
    const file = join(work, "stack.py")
    writeFileSync(file, out.body!)
    await run("python3", ["-m", "py_compile", file])
    assert.include(out.body!, "class OrdersServicePyStack(Stack):")
    for (const logicalId of Object.keys(sourceResources())) assert.include(out.body!, `'${logicalId}'`)
    assert.strictEqual(
      out.body!.match(/\.cfn_options\.update_replace_policy = cdk\.CfnDeletionPolicy\.RETAIN$/gm)?.length,
      Object.keys(sourceResources()).length
    )
  }, 60_000)

  it("py_compile really rejects broken Python (the check can fail)", async () => {
    const file = join(work, "broken.py")
    writeFileSync(file, "class Broken(Stack)\n  pass\n")
    const failed = await run("python3", ["-m", "py_compile", file]).then(
      () => false,
      () => true
    )
    assert.isTrue(failed)
  })
})
