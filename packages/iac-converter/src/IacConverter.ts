import { TemplateConverter } from "@ccapi/core"
import { Layer } from "effect"
import { toCdk } from "./CdkFromCfn.js"
import { toTerraform } from "./TerraformAwscc.js"

/**
 * The `TemplateConverter`: CDK TypeScript and Python through cdk-from-cfn (loaded on first use), Terraform for the
 * awscc provider from the provider schemas. Pure: nothing is read or written outside the process.
 */
export const make = TemplateConverter.of({
  convert: (input) =>
    input.format === "terraform"
      ? toTerraform(input)
      : toCdk({ format: input.format, template: input.template, name: input.name, resources: input.resources })
})

export const layer = Layer.succeed(TemplateConverter, make)
