import { type ConvertedTemplate, ConversionFailed } from "@ccapi/core"
import { Effect } from "effect"

/*
 * CDK code from a CloudFormation template through cdk-from-cfn (cdklabs, MIT OR Apache-2.0), which runs in-process as
 * WebAssembly: no network, no Python, no CDK CLI. Its module compiles a 4 MB WebAssembly binary when it is loaded, so
 * it is imported on the first conversion, never at start.
 */

type CdkFromCfnModule = typeof import("cdk-from-cfn")

let loading: Promise<CdkFromCfnModule> | undefined

/** cdk-from-cfn, loaded once, on first use (a CommonJS module: its exports may come as `default`). */
const load = (): Promise<CdkFromCfnModule> =>
  (loading ??= import("cdk-from-cfn").then(
    (module) => ((module as { default?: CdkFromCfnModule }).default ?? module) as CdkFromCfnModule
  ))

/** A class name for the stack from the template's name: `my-app export` → `MyAppExportStack`. */
export const stackClassName = (name: string): string => {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "")
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
  const base = joined === "" ? "Exported" : /^[0-9]/.test(joined) ? `Exported${joined}` : joined
  return base.endsWith("Stack") ? base : `${base}Stack`
}

const languages = { "cdk-typescript": "typescript", "cdk-python": "python" } as const

/** The template as a CDK stack class in TypeScript or Python, or `ConversionFailed` with cdk-from-cfn's reason. */
export const toCdk = (input: {
  readonly format: keyof typeof languages
  readonly template: unknown
  readonly name: string
}): Effect.Effect<ConvertedTemplate, ConversionFailed> =>
  Effect.gen(function* () {
    const cdk = yield* Effect.tryPromise({
      try: load,
      catch: (error) =>
        new ConversionFailed({
          format: input.format,
          message: `cdk-from-cfn could not be loaded (${error instanceof Error ? error.message : String(error)}); reinstall the server's package.`
        })
    })
    const className = stackClassName(input.name)
    const body = yield* Effect.try({
      try: () => cdk.transmute(JSON.stringify(input.template), languages[input.format], className),
      catch: (error) =>
        new ConversionFailed({
          format: input.format,
          message: `cdk-from-cfn cannot write this template: ${error instanceof Error ? error.message : String(error)}. It knows the resource types and properties of the CloudFormation specification it was built with; for a newer type or property, ask for output_format "terraform" (written from the provider schemas) or take the CloudFormation template.`
        })
    })
    return {
      body,
      warnings: [
        `The stack class is ${className}. The resources already exist: adopt them with \`cdk import\` rather than deploying them anew.`
      ]
    }
  })
