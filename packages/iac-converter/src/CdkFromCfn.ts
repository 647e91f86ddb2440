import {
  type ConvertedTemplate,
  type ConvertibleResource,
  ConversionFailed,
  isJsonObject,
  jsonEquals
} from "@ccapi/core"
import type * as CdkFromCfn from "cdk-from-cfn"
import { Effect } from "effect"

/*
 * CDK code from a CloudFormation template through cdk-from-cfn (cdklabs, MIT OR Apache-2.0), which runs in-process as
 * WebAssembly: no network, no Python, no CDK CLI. Its module compiles a 4 MB WebAssembly binary when it is loaded, so
 * it is imported on the first conversion, never at start.
 */

type CdkFromCfnModule = typeof CdkFromCfn

let loading: Promise<CdkFromCfnModule> | undefined

/** cdk-from-cfn, loaded once, on first use (a CommonJS module: its exports may come as `default`). */
const load = (): Promise<CdkFromCfnModule> =>
  (loading ??= import("cdk-from-cfn").then(
    (module: unknown) => ((module as { default?: CdkFromCfnModule }).default ?? module) as CdkFromCfnModule
  ))

/** A class name for the stack from the template's name: `my-app export` → `MyAppExportStack`. */
export const stackClassName = (name: string): string => {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "")
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
  const base = joined === "" ? "Exported" : /^[0-9]/.test(joined) ? `Exported${joined}` : joined
  return base.endsWith("Stack") ? base : `${base}Stack`
}

const languages = { "cdk-typescript": "typescript", "cdk-python": "python" } as const

const policyNames: Readonly<Record<string, string>> = {
  Delete: "DELETE",
  Retain: "RETAIN",
  RetainExceptOnCreate: "RETAIN_EXCEPT_ON_CREATE",
  Snapshot: "SNAPSHOT"
}

/**
 * cdk-from-cfn writes each resource's DeletionPolicy but drops its UpdateReplacePolicy: set it after the resources, on
 * the variable cdk-from-cfn declared for each (`const x = new s3.CfnBucket(this, 'LogicalId', …)`). Undefined when the
 * code is not shaped as expected.
 */
const withUpdateReplacePolicies = (
  code: string,
  format: keyof typeof languages,
  template: unknown
): string | undefined => {
  const resources =
    typeof template === "object" && template !== null ? (template as { Resources?: unknown }).Resources : undefined
  if (typeof resources !== "object" || resources === null) return code
  const wanted = Object.entries(resources as Record<string, { UpdateReplacePolicy?: unknown }>).flatMap(
    ([logicalId, r]) =>
      typeof r?.UpdateReplacePolicy === "string" && policyNames[r.UpdateReplacePolicy] !== undefined
        ? [[logicalId, policyNames[r.UpdateReplacePolicy]!] as const]
        : []
  )
  if (wanted.length === 0) return code
  const declaration =
    format === "cdk-typescript"
      ? /const (\w+) = new [\w.]+\(this, '([^']+)'/g
      : /^ {4}(\w+) = [\w.]+\(self, '([^']+)'/gm
  const variables = new Map([...code.matchAll(declaration)].map((m) => [m[2]!, m[1]!] as const))
  if (wanted.some(([logicalId]) => !variables.has(logicalId))) return undefined
  const lines = wanted.map(([logicalId, policy]) =>
    format === "cdk-typescript"
      ? `    ${variables.get(logicalId)}.cfnOptions.updateReplacePolicy = cdk.CfnDeletionPolicy.${policy};`
      : `    ${variables.get(logicalId)}.cfn_options.update_replace_policy = cdk.CfnDeletionPolicy.${policy}`
  )
  if (format === "cdk-typescript") {
    const end = code.lastIndexOf("\n  }\n}")
    if (end < 0) return undefined
    return `${code.slice(0, end)}\n\n    // UpdateReplacePolicy, as in the CloudFormation template.\n${lines.join("\n")}${code.slice(end)}`
  }
  return `${code.trimEnd()}\n\n    # UpdateReplacePolicy, as in the CloudFormation template.\n${lines.join("\n")}\n`
}

/**
 * What cdk-from-cfn is given: the template with its Description reduced to plain words. cdk-from-cfn writes the
 * Description into a comment (TypeScript) or a docstring (Python) as it is, so a `*\/` or `"""` in it — and a template's
 * description can come from a template name the model chose — would end the comment and become code.
 */
const safeForCode = (template: unknown): unknown => {
  if (typeof template !== "object" || template === null) return template
  const description = (template as { Description?: unknown }).Description
  if (typeof description !== "string") return template
  return { ...template, Description: description.replace(/[^\w .,:;()'-]+/g, " ").trim() }
}

/** Logical ids become identifiers and strings in the code: CloudFormation allows letters and digits only. */
const badLogicalId = (template: unknown): string | undefined => {
  const resources =
    typeof template === "object" && template !== null ? (template as { Resources?: unknown }).Resources : undefined
  if (typeof resources !== "object" || resources === null) return undefined
  return Object.keys(resources).find((id) => !/^[A-Za-z0-9]+$/.test(id))
}

/** A top-level property's default in a provider schema (on the property, or on the definition it refers to). */
const defaultOf = (resource: ConvertibleResource, property: string): unknown => {
  const schema = resource.schema
  if (schema === undefined) return undefined
  const node = schema.properties[property]
  if (!isJsonObject(node)) return undefined
  if (node["default"] !== undefined) return node["default"]
  const ref = node["$ref"]
  if (typeof ref !== "string" || !ref.startsWith("#/definitions/")) return undefined
  const definitions = schema.document["definitions"]
  const target = isJsonObject(definitions) ? definitions[ref.slice("#/definitions/".length)] : undefined
  return isJsonObject(target) ? target["default"] : undefined
}

/**
 * The template without top-level properties that hold their schema default: AWS applies the default to a resource
 * that leaves the property out, so the code describes the same resource — and cdk-from-cfn, built with an older
 * CloudFormation specification, refuses properties newer than it (a log group's `BearerTokenAuthenticationEnabled`,
 * read back at its default `false`). Returns the template and what was left out, as `LogicalId.Property`.
 */
const withoutDefaults = (
  template: unknown,
  resources: ReadonlyArray<ConvertibleResource>
): { readonly template: unknown; readonly omitted: ReadonlyArray<string> } => {
  if (!isJsonObject(template) || !isJsonObject(template["Resources"])) return { template, omitted: [] }
  const omitted: Array<string> = []
  const out: Record<string, unknown> = {}
  for (const [id, resource] of Object.entries(template["Resources"])) {
    const known = resources.find((r) => r.logicalId === id)
    const properties = isJsonObject(resource) ? resource["Properties"] : undefined
    if (known === undefined || !isJsonObject(resource) || !isJsonObject(properties)) {
      out[id] = resource
      continue
    }
    const kept: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(properties)) {
      const fallback = defaultOf(known, name)
      if (fallback !== undefined && jsonEquals(value, fallback as never)) omitted.push(`${id}.${name}`)
      else kept[name] = value
    }
    out[id] = { ...resource, Properties: kept }
  }
  return { template: { ...template, Resources: out }, omitted }
}

/** The template as a CDK stack class in TypeScript or Python, or `ConversionFailed` with cdk-from-cfn's reason. */
export const toCdk = (input: {
  readonly format: keyof typeof languages
  readonly template: unknown
  readonly name: string
  readonly resources: ReadonlyArray<ConvertibleResource>
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
    const bad = badLogicalId(input.template)
    if (bad !== undefined)
      return yield* new ConversionFailed({
        format: input.format,
        message: `the logical id ${JSON.stringify(bad)} is not alphanumeric, as CloudFormation requires; it cannot be written as code.`
      })
    const { template, omitted } = withoutDefaults(input.template, input.resources)
    const body = yield* Effect.try({
      try: () => cdk.transmute(JSON.stringify(safeForCode(template)), languages[input.format], className),
      catch: (error) =>
        new ConversionFailed({
          format: input.format,
          message: `cdk-from-cfn cannot write this template: ${error instanceof Error ? error.message : String(error)}. It knows the resource types and properties of the CloudFormation specification it was built with; for a newer type or property, ask for the "terraform" format (written from the provider schemas) or take the CloudFormation template.`
        })
    })
    const withPolicies = withUpdateReplacePolicies(body, input.format, input.template)
    return {
      body: withPolicies ?? body,
      warnings: [
        `The stack class is ${className}. The resources already exist: adopt them with \`cdk import\` rather than deploying them anew.`,
        ...(withPolicies === undefined
          ? [
              "The resources' UpdateReplacePolicy could not be written (cdk-from-cfn leaves it out): set cfnOptions.updateReplacePolicy by hand."
            ]
          : []),
        ...(omitted.length === 0
          ? []
          : [
              `Left out at their schema default, which AWS applies to a resource that does not set them: ${omitted.join(", ")}.`
            ])
      ]
    }
  })
