#!/bin/sh
# Regenerates the picture of examples/postgres-jails.prison in docs/cli.md:
# runs the example, then `jls --graph dot`, and renders the DOT with Graphviz (apt-get install graphviz).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$(mktemp /tmp/postgres-graph.XXXXXX)
trap 'rm -f "$script"' EXIT
{ cat "$root/examples/postgres-jails.prison"; echo "jls --graph dot"; } > "$script"
dotnet run --project "$root/src/Prison.Cli" -- run "$script" 2>/dev/null \
    | sed -n '/^digraph jails {$/,/^}$/p' > "$root/docs/images/postgres-jails.dot"
dot -Tsvg "$root/docs/images/postgres-jails.dot" -o "$root/docs/images/postgres-jails.svg"
echo "wrote docs/images/postgres-jails.dot and docs/images/postgres-jails.svg"
