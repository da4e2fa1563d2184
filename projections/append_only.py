"""The triggers that make the ledger's tables append-only (DESIGN, "Tamper evidence").

Each of the ledger's tables (the events' and their chain's) refuses ``UPDATE``, ``DELETE`` and
``TRUNCATE``: changing what was recorded takes a superuser's deliberate work, which the chain then
shows. The recorder (``projections.event_store``) runs these statements with the library's own
table creation.
"""

from psycopg.sql import SQL, Composed, Identifier, Literal

REFUSE_CHANGE = (
    "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE p.proname = 'hrh_refuse_change' AND n.nspname = {schema_name}) THEN "
    "CREATE OR REPLACE FUNCTION {schema}.hrh_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'the ledger is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
    "USING ERRCODE = 'insufficient_privilege', "
    "HINT = 'Recorded events are never changed: record a correction or a retraction instead.'; "
    "END $$; END IF; END $do$"
)
"""The trigger function that refuses to change the ledger's tables."""
APPEND_ONLY = (
    "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE t.tgname = {trigger_name} AND c.relname = {table_name} AND n.nspname = {schema_name}) THEN "
    "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE OR TRUNCATE ON {schema}.{table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.hrh_refuse_change(); END IF; END $do$"
)
"""The trigger on each of the ledger's tables. Both are made only when missing: every process
constructs a recorder, and replacing them each time would lock the events table against the
writers at work (and deadlock with a transaction that holds it, such as the chain's backfill)."""


def statements(schema: str, *tables: str) -> list[Composed]:
    """The statements that create the trigger function in ``schema`` and a trigger on each of ``tables``."""
    schema_id, schema_name = Identifier(schema), Literal(schema)
    made = [SQL(REFUSE_CHANGE).format(schema=schema_id, schema_name=schema_name)]
    for table in tables:
        trigger = f"{table}_append_only"
        made.append(
            SQL(APPEND_ONLY).format(
                trigger=Identifier(trigger),
                trigger_name=Literal(trigger),
                schema=schema_id,
                schema_name=schema_name,
                table=Identifier(table),
                table_name=Literal(table),
            )
        )
    return made
