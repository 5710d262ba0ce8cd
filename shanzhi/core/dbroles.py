"""PostgreSQL roles for production: an owner role that owns the schema and runs migrations, and a runtime
role, used by the web server, worker and scheduler, that owns nothing and may only INSERT and SELECT audit
rows — so the application's own database user cannot rewrite or erase the audit log (docs/security.md,
"Database roles")."""

from __future__ import annotations

from psycopg import sql

AUDIT_TABLE = "audit_auditevent"


def grant_statements(*, owner: str, runtime: str, database: str, schema: str = "public") -> list[sql.Composed]:
    o, r, s, db = sql.Identifier(owner), sql.Identifier(runtime), sql.Identifier(schema), sql.Identifier(database)
    audit = sql.Identifier(schema, AUDIT_TABLE)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, r),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
        # the audit log: append and read only
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(audit, r),
        # … and on each of its monthly partitions (audit/partitioning.py), which can be named directly
        sql.SQL("DO $$ DECLARE p regclass; BEGIN FOR p IN SELECT inhrelid::regclass FROM pg_inherits "
                "WHERE inhparent = to_regclass({}) LOOP EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, "
                "REFERENCES, TRIGGER ON %s FROM %I', p, {}); END LOOP; END $$")
        .format(sql.Literal(f"{schema}.{AUDIT_TABLE}"), sql.Literal(runtime)),
        # tables and sequences the owner creates in later migrations
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
                "TO {}").format(o, s, r),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}")
        .format(o, s, r),
    ]


def ownership_statements(cursor, *, owner: str, schema: str = "public") -> list[sql.Composed]:
    """ALTER … OWNER TO owner for every table, sequence and view in the schema not owned by it yet."""
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> %s "
        "ORDER BY c.relname", [schema, owner])
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
    return [sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kinds[kind]), sql.Identifier(schema, name),
                                                       sql.Identifier(owner))
            for name, kind in cursor.fetchall()]


def role_problems(cursor) -> list[str]:
    """What is wrong with the role this connection runs as, for the production check."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    problems = []
    if row and row[0]:
        problems.append("connects as a superuser")
    cursor.execute("SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = %s "
                   "AND relkind IN ('r', 'p')", [AUDIT_TABLE])
    row = cursor.fetchone()
    if row and row[0]:
        problems.append(f"owns {AUDIT_TABLE}")
    return problems
