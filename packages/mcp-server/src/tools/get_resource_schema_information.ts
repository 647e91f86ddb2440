import { Effect, Schema } from "effect"
import { SchemaInformation, schemaInformation } from "@ccapi/core"
import { decodeRegion, decodeTypeName } from "./Arguments.js"
import { defineTool, readAnnotations } from "../Tool.js"
import { regionField, resourceTypeField } from "./Shapes.js"

/** The provider schema of a resource type. */
export const get_resource_schema_information = defineTool({
  name: "get_resource_schema_information",
  title: "Get a resource type's schema",
  description: [
    "A resource type's provider schema: properties and definitions, required, primary identifier, read-only, create-only (a change replaces) and write-only properties, tagging. Use it before generate_infrastructure_code."
  ].join(" "),
  mutating: false,
  input: { resource_type: resourceTypeField, region: regionField },
  output: Schema.Struct(SchemaInformation.fields).pipe(
    Schema.encodeKeys({
      typeName: "resource_type",
      primaryIdentifier: "primary_identifier",
      readOnlyProperties: "read_only_properties",
      createOnlyProperties: "create_only_properties",
      writeOnlyProperties: "write_only_properties",
      tagProperty: "tag_property"
    })
  ),
  annotations: readAnnotations(true),
  run: (args) =>
    Effect.gen(function* () {
      const typeName = yield* decodeTypeName("resource_type", args.resource_type)
      const region = yield* decodeRegion("region", args.region)
      return yield* schemaInformation({ typeName, region })
    })
})
