import { Effect, Schema } from "effect"

/** One check result in Checkov's JSON report (only the fields we read; the rest is ignored). */
export const CheckResult = Schema.Struct({
  check_id: Schema.String,
  check_name: Schema.String,
  resource: Schema.String,
  severity: Schema.NullOr(Schema.String).pipe(Schema.withDecodingDefaultType(Effect.succeed(null))),
  guideline: Schema.NullOr(Schema.String).pipe(Schema.withDecodingDefaultType(Effect.succeed(null))),
  file_path: Schema.optional(Schema.NullOr(Schema.String)),
  file_line_range: Schema.optional(Schema.NullOr(Schema.Array(Schema.Number)))
})
export type CheckResult = typeof CheckResult.Type

/** The counts Checkov prints per report, and alone when it found nothing to scan. */
export const Summary = Schema.Struct({
  passed: Schema.Number,
  failed: Schema.Number,
  skipped: Schema.Number,
  parsing_errors: Schema.Number,
  resource_count: Schema.Number,
  checkov_version: Schema.optional(Schema.String)
})
export type Summary = typeof Summary.Type

/** The report of one framework runner. */
export const Report = Schema.Struct({
  check_type: Schema.String,
  results: Schema.Struct({
    passed_checks: Schema.Array(CheckResult),
    failed_checks: Schema.Array(CheckResult),
    skipped_checks: Schema.Array(CheckResult),
    parsing_errors: Schema.Array(Schema.String)
  }),
  summary: Summary
})
export type Report = typeof Report.Type

/** Everything `checkov -o json` may print: one report, a list of reports, or the summary-only object. */
export const CheckovOutput = Schema.Union([Report, Schema.Array(Report), Summary])
export type CheckovOutput = typeof CheckovOutput.Type

/** Decodes Checkov's stdout (JSON text) into the union above. */
export const decodeCheckovOutput = Schema.decodeUnknownEffect(Schema.fromJsonString(CheckovOutput), { errors: "first" })
