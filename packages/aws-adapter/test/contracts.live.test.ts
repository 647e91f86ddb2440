import { region } from "@ccapi/core"
import { identityContract, resourceSchemasContract } from "@ccapi/testkit/contracts"
import { Layer } from "effect"
import { AwsAdapter } from "../src/index.js"

/*
 * Opt-in, never in CI: the read-only contract suites against a real AWS account, through the SDK's default credential
 * chain (AWS_PROFILE / AWS_REGION as usual). Run with `CCAPI_LIVE_AWS=1 npx vitest run --project aws-adapter live`;
 * without the variable vitest does not even collect this file (vitest.config.ts). Only reads are made (STS
 * GetCallerIdentity, CloudFormation DescribeType): the CloudControl and TemplateGenerator suites create resources
 * without cleaning every one up, which is fine in memory and in the sandbox but not in somebody's account.
 */

const live = () => AwsAdapter.layerConfig({ schemaCache: { directory: false } }).pipe(Layer.orDie)

identityContract("AwsIdentity (live AWS)", { layer: live, live: true, otherRegion: region("eu-west-1") })
resourceSchemasContract("AwsResourceSchemas (live AWS)", { layer: live, live: true })
