-- Houshi database provisioning: database houshi, and one login role and one schema per
-- service, each role owning its schema and having no right on any other. Idempotent.
-- Run as the superuser (deploy/provisioning.sh does), with the passwords as psql variables:
--   psql -v ON_ERROR_STOP=1 -v postgres_password=... -v intake_password=... \
--        -v public_security_password=... -v civil_affairs_password=... \
--        -v social_security_password=... -v housing_fund_password=... -f deploy/sql/provision.sql

SELECT 'CREATE DATABASE houshi ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'houshi') \gexec
-- Only the roles granted CONNECT below may connect (and nobody gets TEMP).
REVOKE ALL ON DATABASE houshi FROM PUBLIC;
ALTER ROLE postgres PASSWORD :'postgres_password';

\connect houshi
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

\set role intake
\set password :intake_password
\ir service-role.sql
\set role public_security
\set password :public_security_password
\ir service-role.sql
\set role civil_affairs
\set password :civil_affairs_password
\ir service-role.sql
\set role social_security
\set password :social_security_password
\ir service-role.sql
-- The housing fund, the reference subscriber of the public facts (its broker user is made apart).
\set role housing_fund
\set password :housing_fund_password
\ir service-role.sql
