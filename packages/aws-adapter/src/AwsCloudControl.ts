import { CloudControl, ResourceDescription, ResourcePage } from "@ccapi/core"
import {
  CancelResourceRequestCommand,
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceCommand,
  GetResourceRequestStatusCommand,
  ListResourcesCommand,
  type ProgressEvent as SdkProgressEvent,
  UpdateResourceCommand
} from "@aws-sdk/client-cloudcontrol"
import { Effect, Layer } from "effect"
import * as AwsClients from "./AwsClients.js"
import { compact, decodeResponse, parseJsonObject, required, toProgressEvent } from "./internal/decode.js"
import type { CallContext, DomainTag } from "./internal/errorMap.js"
import { type MutationTarget, outcomeUnknown, tryAws, tryMutation } from "./internal/tryAws.js"

/** What every mutation can be refused with, before its own refusals. */
const mutationErrors = [
  "TypeNotFound",
  "InvalidRequest",
  "UnsupportedAction",
  "ConcurrentOperation",
  "ClientTokenConflict"
] as const

/**
 * Sends a mutation and reads its ProgressEvent. An answer without a readable ProgressEvent leaves the outcome unknown:
 * the request was taken.
 */
const sendMutation = <T extends DomainTag>(
  ctx: CallContext,
  target: MutationTarget,
  allowed: ReadonlyArray<T>,
  call: (options: {
    readonly abortSignal: AbortSignal
  }) => PromiseLike<{ readonly ProgressEvent?: SdkProgressEvent | undefined }>
) =>
  Effect.flatMap(tryMutation(ctx, target, [...mutationErrors, ...allowed], call), (out) =>
    toProgressEvent(out.ProgressEvent, ctx).pipe(
      Effect.catchTag("CloudUnavailable", (e) => Effect.fail(outcomeUnknown(ctx, target, e.message)))
    )
  )

/** The `CloudControl` port over the Cloud Control API: JSON-string fields, caller-supplied client tokens, per-call regions. */
export const make = Effect.gen(function* () {
  const call = yield* AwsClients.callsOf(AwsClients.CloudControlClients, "CloudControl")

  const create: CloudControl["Service"]["create"] = Effect.fn("AwsCloudControl.create")(function* (input) {
    const { ctx, client } = yield* call("CreateResource", input.region, { typeName: input.typeName })
    const target = { operation: "create", typeName: input.typeName, clientToken: input.clientToken } as const
    return yield* sendMutation(ctx, target, ["ResourceAlreadyExists"], (options) =>
      client.send(
        new CreateResourceCommand({
          TypeName: input.typeName,
          DesiredState: JSON.stringify(input.desiredState),
          ClientToken: input.clientToken
        }),
        options
      )
    )
  })

  const update: CloudControl["Service"]["update"] = Effect.fn("AwsCloudControl.update")(function* (input) {
    const { ctx, client } = yield* call("UpdateResource", input.region, {
      typeName: input.typeName,
      identifier: input.identifier
    })
    const target = { operation: "update", ...input } as const
    return yield* sendMutation(ctx, target, ["ResourceNotFound", "NotUpdatable"], (options) =>
      client.send(
        new UpdateResourceCommand({
          TypeName: input.typeName,
          Identifier: input.identifier,
          PatchDocument: JSON.stringify(input.patch),
          ClientToken: input.clientToken
        }),
        options
      )
    )
  })

  const remove: CloudControl["Service"]["delete"] = Effect.fn("AwsCloudControl.delete")(function* (input) {
    const { ctx, client } = yield* call("DeleteResource", input.region, {
      typeName: input.typeName,
      identifier: input.identifier
    })
    const target = { operation: "delete", ...input } as const
    return yield* sendMutation(ctx, target, ["ResourceNotFound"], (options) =>
      client.send(
        new DeleteResourceCommand({
          TypeName: input.typeName,
          Identifier: input.identifier,
          ClientToken: input.clientToken
        }),
        options
      )
    )
  })

  const get: CloudControl["Service"]["get"] = Effect.fn("AwsCloudControl.get")(function* (input) {
    const { ctx, client } = yield* call("GetResource", input.region, {
      typeName: input.typeName,
      identifier: input.identifier
    })
    const out = yield* tryAws(ctx, ["TypeNotFound", "ResourceNotFound", "InvalidRequest", "UnsupportedAction"], (o) =>
      client.send(new GetResourceCommand({ TypeName: input.typeName, Identifier: input.identifier }), o)
    )
    const description = yield* required(out.ResourceDescription, ctx, "ResourceDescription")
    const properties = yield* parseJsonObject(description.Properties, ctx, "Properties")
    return yield* decodeResponse(
      ResourceDescription,
      { identifier: description.Identifier ?? input.identifier, properties },
      ctx
    )
  })

  const list: CloudControl["Service"]["list"] = Effect.fn("AwsCloudControl.list")(function* (input) {
    const { ctx, client } = yield* call("ListResources", input.region, { typeName: input.typeName })
    const out = yield* tryAws(ctx, ["TypeNotFound", "InvalidRequest", "UnsupportedAction"], (options) =>
      client.send(
        new ListResourcesCommand(
          compact({
            TypeName: input.typeName,
            NextToken: input.nextToken,
            MaxResults: input.maxResults,
            ResourceModel: input.resourceModel === undefined ? undefined : JSON.stringify(input.resourceModel)
          })
        ),
        options
      )
    )
    const resources = yield* Effect.forEach(out.ResourceDescriptions ?? [], (description) =>
      Effect.map(parseJsonObject(description.Properties, ctx, "Properties"), (properties) => ({
        identifier: description.Identifier,
        properties
      }))
    )
    return yield* decodeResponse(
      ResourcePage,
      compact({
        typeName: out.TypeName ?? input.typeName,
        resources,
        nextToken: out.NextToken === "" ? undefined : out.NextToken
      }),
      ctx
    )
  })

  const requestStatus: CloudControl["Service"]["requestStatus"] = Effect.fn("AwsCloudControl.requestStatus")(
    function* (input) {
      const { ctx, client } = yield* call("GetResourceRequestStatus", input.region, {
        requestToken: input.requestToken
      })
      const out = yield* tryAws(ctx, ["RequestNotFound"], (options) =>
        client.send(new GetResourceRequestStatusCommand({ RequestToken: input.requestToken }), options)
      )
      return yield* toProgressEvent(out.ProgressEvent, ctx)
    }
  )

  const cancel: CloudControl["Service"]["cancel"] = Effect.fn("AwsCloudControl.cancel")(function* (input) {
    const { ctx, client } = yield* call("CancelResourceRequest", input.region, { requestToken: input.requestToken })
    const out = yield* tryAws(ctx, ["RequestNotFound", "ConcurrentOperation"], (options) =>
      client.send(new CancelResourceRequestCommand({ RequestToken: input.requestToken }), options)
    )
    return yield* toProgressEvent(out.ProgressEvent, ctx)
  })

  return CloudControl.of({ create, update, delete: remove, get, list, requestStatus, cancel })
})

/** `CloudControl` over clients and settings provided from outside (share them with the other AWS ports). */
export const layerFromClients = Layer.effect(CloudControl, make)

/** `CloudControl` with its own settings and clients (see `AwsClients.portLayers`). */
export const { layer, layerConfig } = AwsClients.portLayers(layerFromClients)
