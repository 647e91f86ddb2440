import { Context, type Effect } from "effect"
import type { CodeFormat } from "../model/Cloud.js"
import type { ConversionFailed } from "../model/Errors.js"
import type { Identifier, Region, TypeName } from "../model/Ids.js"
import type { JsonObject } from "../model/Json.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"

/** One resource of the template being converted, with what the template itself does not say. */
export interface ConvertibleResource {
  readonly logicalId: string
  readonly typeName: TypeName
  /** Its Cloud Control identifier (the primary identifier, compound parts joined with `|`), when known. */
  readonly identifier: Identifier | undefined
  /** Its provider schema, when it could be read: how its properties are shaped (objects, maps, JSON documents). */
  readonly schema: ResourceSchema | undefined
}

/** What a conversion wrote: the code, and what the reader should know about it (resources it could not import, …). */
export interface ConvertedTemplate {
  readonly body: string
  readonly warnings: ReadonlyArray<string>
}

/**
 * Writes a CloudFormation template (as the `TemplateGenerator` made it) as code in another format: CDK (TypeScript,
 * Python) or Terraform. Pure: it reads nothing and writes nothing outside itself. A construct the target cannot
 * express fails with `ConversionFailed`, whose message names it.
 */
export class TemplateConverter extends Context.Service<
  TemplateConverter,
  {
    readonly convert: (input: {
      readonly format: CodeFormat
      /** The CloudFormation template, parsed from JSON. */
      readonly template: JsonObject
      /** A name for what is written (a CDK stack class, a comment): the template's name. */
      readonly name: string
      readonly region: Region
      readonly resources: ReadonlyArray<ConvertibleResource>
    }) => Effect.Effect<ConvertedTemplate, ConversionFailed>
  }
>()("@ccapi/core/ports/TemplateConverter") {}
