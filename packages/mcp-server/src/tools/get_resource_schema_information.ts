import { Effect } from "effect"
import { z } from "zod"
import { schemaInformation } from "@ccapi/core"
import { decodeRegion, decodeTypeName } from "./Arguments.js"
import { defineTool, readAnnotations } from "../Tool.js"
import { jsonObject, regionField, resourceTypeField } from "./Shapes.js"

/** The provider schema of a resource type. */
export const get_resource_schema_information = defineTool({
  name: "get_resource_schema_information",
  title: "Get a resource type's schema",
  description: [
    "Returns the CloudFormation provider schema of a resource type (CloudFormation DescribeType): its properties and definitions, the required properties, the primary identifier, and which properties are read-only, create-only (changing them replaces the resource) or write-only, and how it is tagged.",
    "Use it before generate_infrastructure_code to learn valid property names and shapes. Not for reading a resource's current values (get_resource)."
  ].join(" "),
  mutating: false,
  input: { resource_type: resourceTypeField, region: regionField },
  output: {
    resource_type: z.string(),
    description: z.string().optional(),
    primary_identifier: z.array(z.string()),
    required: z.array(z.string()),
    read_only_properties: z.array(z.string()),
    create_only_properties: z.array(z.string()),
    write_only_properties: z.array(z.string()),
    taggable: z.boolean(),
    tag_property: z.string().optional(),
    properties: jsonObject,
    definitions: jsonObject
  },
  annotations: readAnnotations(true),
  run: (args) =>
    Effect.map(
      Effect.gen(function* () {
        const typeName = yield* decodeTypeName("resource_type", args.resource_type)
        const region = yield* decodeRegion("region", args.region)
        return yield* schemaInformation({ typeName, region })
      }),
      (schema) => ({
        resource_type: schema.typeName,
        description: schema.description,
        primary_identifier: [...schema.primaryIdentifier],
        required: [...schema.required],
        read_only_properties: [...schema.readOnlyProperties],
        create_only_properties: [...schema.createOnlyProperties],
        write_only_properties: [...schema.writeOnlyProperties],
        taggable: schema.taggable,
        tag_property: schema.tagProperty,
        properties: schema.properties,
        definitions: schema.definitions
      })
    )
})
