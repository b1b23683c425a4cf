#!/bin/sh
# One-shot job of compose.yaml: registers the two Citus workers with the
# coordinator. Safe to run again: citus_add_node returns the id of a node
# that is already registered.
#
# Nodes connect to one another as postgres with the same password: Citus
# reads it from pg_dist_authinfo (node id 0 means every node), written on
# each node before the workers are added.
set -eu
: "${PGPASSWORD:?PGPASSWORD must be set}"
export PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-parley}"
COORDINATOR="${CITUS_COORDINATOR:-citus-coordinator}"
WORKERS="${CITUS_WORKERS:-citus-worker-1 citus-worker-2}"

for host in "$COORDINATOR" $WORKERS; do
  until pg_isready -q -h "$host"; do sleep 1; done
  psql -v ON_ERROR_STOP=1 -q -h "$host" <<SQL
DELETE FROM pg_dist_authinfo WHERE nodeid = 0 AND rolename = '$PGUSER';
INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo)
  VALUES (0, '$PGUSER', 'password=$PGPASSWORD');
SQL
done

psql -v ON_ERROR_STOP=1 -q -h "$COORDINATOR" \
  -c "SELECT citus_set_coordinator_host('$COORDINATOR', 5432);"
for worker in $WORKERS; do
  psql -v ON_ERROR_STOP=1 -q -h "$COORDINATOR" -c "SELECT citus_add_node('$worker', 5432);"
done
psql -v ON_ERROR_STOP=1 -h "$COORDINATOR" \
  -c "SELECT nodename, nodeport, isactive FROM pg_dist_node ORDER BY nodeid;"
