import { GeneratedTemplateState, TemplateGenerationFailed, TemplateGenerator } from "@ccapi/core"
import {
  CreateGeneratedTemplateCommand,
  DeleteGeneratedTemplateCommand,
  DescribeGeneratedTemplateCommand,
  GetGeneratedTemplateCommand
} from "@aws-sdk/client-cloudformation"
import { Effect, Layer } from "effect"
import * as AwsClients from "./AwsClients.js"
import { compact, decodeResponse, required } from "./internal/decode.js"
import { tryAws } from "./internal/tryAws.js"

/** The `TemplateGenerator` port over CloudFormation's IaC Generator (generated templates). */
export const make = Effect.gen(function* () {
  const call = yield* AwsClients.callsOf(AwsClients.CloudFormationClients, "CloudFormation")

  const start: TemplateGenerator["Service"]["start"] = Effect.fn("AwsTemplateGenerator.start")(function* (input) {
    const { ctx, client } = yield* call("CreateGeneratedTemplate", input.region, { templateName: input.templateName })
    const out = yield* tryAws(ctx, ["InvalidRequest", "TemplateGenerationFailed"], (options) =>
      client.send(
        new CreateGeneratedTemplateCommand({
          GeneratedTemplateName: input.templateName,
          Resources: input.resources.map((r) => ({
            ResourceType: r.typeName,
            ResourceIdentifier: { ...r.identifier }
          })),
          TemplateConfiguration: {
            DeletionPolicy: input.deletionPolicy,
            UpdateReplacePolicy: input.updateReplacePolicy
          }
        }),
        options
      )
    )
    const templateId = yield* required(out.GeneratedTemplateId, ctx, "GeneratedTemplateId")
    return { templateId }
  })

  const status: TemplateGenerator["Service"]["status"] = Effect.fn("AwsTemplateGenerator.status")(function* (input) {
    const { ctx, client } = yield* call("DescribeGeneratedTemplate", input.region, { templateId: input.templateId })
    const out = yield* tryAws(ctx, ["ResourceNotFound"], (options) =>
      client.send(new DescribeGeneratedTemplateCommand({ GeneratedTemplateName: input.templateId }), options)
    )
    return yield* decodeResponse(
      GeneratedTemplateState,
      compact({
        templateId: out.GeneratedTemplateId ?? input.templateId,
        templateName: out.GeneratedTemplateName,
        status: out.Status,
        statusReason: out.StatusReason
      }),
      ctx
    )
  })

  const fetch: TemplateGenerator["Service"]["fetch"] = Effect.fn("AwsTemplateGenerator.fetch")(function* (input) {
    const { ctx, client } = yield* call("GetGeneratedTemplate", input.region, { templateId: input.templateId })
    const out = yield* tryAws(ctx, ["ResourceNotFound", "TemplateGenerationFailed"], (options) =>
      client.send(
        new GetGeneratedTemplateCommand({ GeneratedTemplateName: input.templateId, Format: input.format }),
        options
      )
    )
    if (out.TemplateBody === undefined || out.TemplateBody === "") {
      return yield* new TemplateGenerationFailed({
        templateId: input.templateId,
        message:
          out.Status === "FAILED"
            ? `Generating template ${input.templateId} failed. Check its status reason (create_template with template_id), fix the resources and start again.`
            : `Template ${input.templateId} has no body yet (status ${out.Status ?? "unknown"}). Wait until its status is COMPLETE, then fetch it again.`
      })
    }
    return { body: out.TemplateBody }
  })

  const remove: TemplateGenerator["Service"]["remove"] = Effect.fn("AwsTemplateGenerator.remove")(function* (input) {
    const { ctx, client } = yield* call("DeleteGeneratedTemplate", input.region, { templateId: input.templateId })
    yield* tryAws(ctx, ["ResourceNotFound"], (options) =>
      client.send(new DeleteGeneratedTemplateCommand({ GeneratedTemplateName: input.templateId }), options)
    )
  })

  return TemplateGenerator.of({ source: "iac-generator", start, status, fetch, remove })
})

/** `TemplateGenerator` over clients and settings provided from outside (share them with the other AWS ports). */
export const layerFromClients = Layer.effect(TemplateGenerator, make)

/** `TemplateGenerator` with its own settings and clients (see `AwsClients.portLayers`). */
export const { layer, layerConfig } = AwsClients.portLayers(layerFromClients)
