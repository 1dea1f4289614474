#!/usr/bin/env bash
# The Snakemake workflow (workflow/Snakefile) on two small studies, a pair of batches and a pair
# of cohorts (tests/cluster/snakemake-*.yaml): each group as 2 shard jobs, merged, compared,
# with --cores 2. Each merged group and the report must be byte for byte what alsim writes for
# the same study run here in one piece (manifests apart from wall time, threads and peak memory),
# and a second invocation must find nothing to do.
#
# usage: tests/cluster/snakemake.sh ALSIM_BINARY SNAKEMAKE_BINARY
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$(dirname "$(realpath "$1")"):$PATH"
snakemake="$(realpath "$2")"
work="$(mktemp -d /tmp/alsim-snakemake.XXXXXX)"
trap 'status=$?; [ $status -ne 0 ] || rm -rf "$work"' EXIT
say() { echo "snakemake test [$SECONDS s]: $*"; }
fail() { echo "snakemake test FAILED: $*" >&2; exit 1; }
say "snakemake $("$snakemake" --version)"
cp -r "$repo/scenarios" "$work/"
cd "$work"

for study in batches cohorts; do
    config="$repo/tests/cluster/snakemake-$study.yaml"
    say "$study: the workflow"
    "$snakemake" --snakefile "$repo/workflow/Snakefile" --configfile "$config" --cores 2 \
        --quiet rules > "$study.log" 2>&1 || { cat "$study.log"; fail "snakemake failed"; }
    jobs=$(ls results/"$study"/shards/*.done | wc -l)
    [ "$jobs" -eq 4 ] || fail "$jobs shard jobs, not 2 groups x 2 shards"
    say "$study: the same study in one piece"
    for group in sporadic sod1; do
        if [ "$study" = batches ]; then
            alsim batch "scenarios/$group.ron" --replicates 2 --out "local/$study/$group" 2>/dev/null
        else
            alsim cohort "scenarios/cohorts/$group.ron" --people 2 --out "local/$study/$group" 2>/dev/null
        fi
    done
    alsim compare "local/$study/sporadic" "local/$study/sod1" --out "local/$study/report" 2>/dev/null
    for folder in groups/sporadic groups/sod1 report; do
        # Snakemake marks each directory output with a time stamp file of its own.
        python3 "$repo/tests/cluster/same_batch.py" "local/$study/${folder#groups/}" \
            "results/$study/$folder" --ignore .snakemake_timestamp
    done
    "$snakemake" --snakefile "$repo/workflow/Snakefile" --configfile "$config" --cores 2 \
        --dry-run > "$study-again.log" 2>&1
    grep -q "Nothing to be done" "$study-again.log" || { cat "$study-again.log"; fail "a second invocation would run jobs again"; }
done
say "passed"
