-- The role a PostgreSQL standby streams from the primary as (docker-compose.ha.yml): LOGIN and
-- REPLICATION, no other right; deploy/compose/pg_hba-ha.conf lets it make replication connections
-- only. Idempotent. Run as the superuser (deploy/provisioning.sh, provision_replication_role does)
-- with psql variables `role` and `password`.

SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
