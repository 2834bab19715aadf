-- readonly-role.sql - the read-only PostgreSQL role exportq uses on a
-- LiteLLM database (doc/operations.md, "A read-only role").  Run it as a
-- superuser or the database owner, connected to the LiteLLM database:
--
--   psql -v ON_ERROR_STOP=1 -v role=exportq_ro -v password='...' \
--        -d litellm -f /usr/local/share/exportq/schema/readonly-role.sql
--
-- The role may connect, see the schema, and SELECT exactly the two tables
-- exportq reads; nothing else (no other table, no writes, no new objects).
-- Idempotent: re-running it resets the password and the grants.

\if :{?role}
\else
\set role exportq_ro
\endif
\set ON_ERROR_STOP 1
\if :{?password}
\else
DO $$ BEGIN RAISE EXCEPTION 'set the role password with: psql -v password=...'; END $$;
\endif

SELECT format('CREATE ROLE %I LOGIN', :'role')
    WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'password';
-- Belt and braces: even a future GRANT by mistake cannot make it write.
ALTER ROLE :"role" SET default_transaction_read_only = on;

GRANT CONNECT ON DATABASE :"DBNAME" TO :"role";
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON TABLE public."LiteLLM_SpendLogs", public."LiteLLM_UserTable" TO :"role";
