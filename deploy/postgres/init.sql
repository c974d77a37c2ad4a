-- gapless: the application role and its ONE database, created on the first start of the
-- postgres container (docker-entrypoint-initdb.d runs this through psql as the superuser).
--
-- The migration step (`gapless migrate`, the compose service `migrate`) creates each service's
-- schema (named after the service, prefixed by GAPLESS_NAMESPACE if set) and its tables as this
-- role, which owns the database; nothing per service is created here. (On Kubernetes each
-- service has a role of its own instead: k8s/base/postgres.)
--
-- Names and password come from the container environment (GAPLESS_DB_USER, GAPLESS_DB_PASSWORD,
-- GAPLESS_DB_NAME; see docker-compose.yml), read with psql's \getenv (psql 15+), so no secret
-- lives in this file. Safe to run again by hand: everything is created only if missing.
--
-- By hand against another server:
--   GAPLESS_DB_USER=gapless GAPLESS_DB_PASSWORD=... GAPLESS_DB_NAME=gapless \
--     psql -v ON_ERROR_STOP=1 -U postgres -f deploy/postgres/init.sql

\set ON_ERROR_STOP on

\getenv app_user GAPLESS_DB_USER
\getenv app_password GAPLESS_DB_PASSWORD
\getenv app_db GAPLESS_DB_NAME

-- Fail loudly rather than create a role without a password.
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'GAPLESS_DB_PASSWORD is not set'; END $$;
\endif
\if :{?app_user}
\else
  \set app_user gapless
\endif
\if :{?app_db}
\else
  \set app_db gapless
\endif

-- CREATE ROLE/DATABASE have no IF NOT EXISTS: build the statement only when it is missing and
-- let \gexec run it. format() quotes the name (%I) and the password (%L).
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app_user', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user')
\gexec

SELECT format('CREATE DATABASE %I', :'app_db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'app_db')
\gexec

-- Least privilege: the application may connect and create schemas (each service creates and then
-- owns its own), but does not own the database and is no superuser.
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE :"app_db" TO :"app_user";

\connect :"app_db"

-- Tables belong in the per-service schemas: nobody but the owner creates objects in public
-- (the default from PostgreSQL 15 on; explicit for older servers).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
