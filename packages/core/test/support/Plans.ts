import { Result } from "effect"
import type { JsonObject } from "../../src/model/Json.js"
import { identifier, region } from "../../src/model/Ids.js"
import type { CreatePlan, DeletePlan, GuardrailVerdict, UpdatePlan } from "../../src/model/Plan.js"
import { type PlanContext, planCreate, planDelete, planUpdate } from "../../src/workflow/Plans.js"
import { schemaOf } from "../schemaData.js"
import { accountId } from "./Workflow.js"

/** Plans of an S3 bucket in us-east-1, built by the real plan builders (no default tags). */
export const planContext = (options: { readonly verdicts?: ReadonlyArray<GuardrailVerdict> } = {}): PlanContext => ({
  schema: schemaOf("AWS::S3::Bucket"),
  accountId,
  region: region("us-east-1"),
  now: 1_750_000_000_000,
  defaultTags: [],
  guardrails: () => options.verdicts ?? []
})

const right = <A, E>(result: Result.Result<A, E>): A => Result.getOrThrow(result)

export const liveBucket = (name: string): JsonObject => ({ BucketName: name, Arn: `arn:aws:s3:::${name}` })

export const createPlan = (
  name = "new-bucket",
  options: { readonly verdicts?: ReadonlyArray<GuardrailVerdict> } = {}
) => right(planCreate(planContext(options), { BucketName: name })) satisfies CreatePlan

export const updatePlan = (name = "live-bucket") =>
  right(
    planUpdate(planContext(), {
      identifier: identifier(name),
      currentState: liveBucket(name),
      properties: { VersioningConfiguration: { Status: "Enabled" } }
    })
  ) satisfies UpdatePlan

export const deletePlan = (name = "live-bucket") =>
  planDelete(planContext(), { identifier: identifier(name), currentState: liveBucket(name) }) satisfies DeletePlan
