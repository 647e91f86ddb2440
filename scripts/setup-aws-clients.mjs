#!/usr/bin/env node
// Installs the pinned boto3 and AWS CLI into <repo>/.venv/aws-clients (see lib/venv.mjs), which the sandbox's
// boto3 and AWS CLI round-trip tests use. Required under CI or CCAPI_REQUIRE_BOTO3=1; otherwise a failure is a
// warning and those tests are skipped.
import { ensureVenv } from "./lib/venv.mjs"

const BOTO3_VERSION = "1.43.11"
const AWSCLI_VERSION = "1.45.11"

await ensureVenv({
  name: "aws-clients",
  packages: [`boto3==${BOTO3_VERSION}`, `awscli==${AWSCLI_VERSION}`],
  probe: { bin: "python", args: ["-c", "import boto3, awscli; print(boto3.__version__, awscli.__version__)"] },
  version: (output) => output.split("\n").at(-1)?.trim(),
  expected: `${BOTO3_VERSION} ${AWSCLI_VERSION}`,
  required: Boolean(process.env.CI) || process.env.CCAPI_REQUIRE_BOTO3 === "1"
})
