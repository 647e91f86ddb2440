/**
 * The statements that create the journal table, run in one transaction. The advisory lock makes replicas that start
 * together take turns; each statement is idempotent, so a second run (or a replica that lost the race) changes
 * nothing. Run by a role that may create tables; the server may then run as a role that can only INSERT and SELECT
 * (see the package README), and the migration, finding everything in place, needs no more.
 */
export const migration = (table: string): ReadonlyArray<string> => [
  `SELECT pg_advisory_xact_lock(hashtext('ccapi-journal-migration'))`,
  `DO $migration$
BEGIN
  IF to_regclass('${table}') IS NULL THEN
    CREATE TABLE ${table} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at text NOT NULL,
      event text NOT NULL,
      plan_hash text,
      intent_id text,
      details jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ${table}_plan_hash ON ${table} (plan_hash);
    CREATE INDEX ${table}_intent_id ON ${table} (intent_id) WHERE intent_id IS NOT NULL;
    CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      RAISE EXCEPTION 'the ccapi journal % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
    END
    $body$;
    CREATE TRIGGER ${table}_no_update_or_delete BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
    CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only();
  END IF;
END
$migration$`
]
