#!/usr/bin/env bash
# t0003: --json output: one document, the fields of every hit, ISO dates,
# and highlight byte ranges that cut whole characters of the snippet.
. "$(dirname "$0")/lib.sh"

index_sample
"$SOU_QUERY" --db "$DB" --json --limit 20 银行 >"$TMP/j"
check "valid JSON" jq -e . "$TMP/j" >/dev/null
eq "estimated_total is a number" "number" "$(jq -r '.estimated_total|type' "$TMP/j")"
eq "every hit has every field" "0" "$(jq '[.hits[] | select((has("path") and has("title") and has("date") and has("tags") and has("categories") and has("score") and has("snippet") and has("highlights"))|not)] | length' "$TMP/j")"
eq "ISO dates" "0" "$(jq '[.hits[] | select(.date != null) | select(.date | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$") | not)] | length' "$TMP/j")"
eq "scores descend" "true" "$(jq '[.hits[].score] as $s | ($s == ($s|sort|reverse))' "$TMP/j")"
eq "ranks count from 1" "1" "$(jq '.hits[0].rank' "$TMP/j")"

# every highlighted range is exactly a folded match of the query
n=$(jq '[.hits[].highlights[]] | length' "$TMP/j")
check "some highlights" [ "$n" -gt 0 ]
bad=0
while IFS=$'\t' read -r s e snip; do
	piece=$(printf '%s' "$snip" | cut -b "$((s + 1))-$e")
	case "$piece" in 银行|銀行) ;; *) bad=$((bad + 1)); echo "bad highlight '$piece'" >&2 ;; esac
done < <(jq -r '.hits[] | .snippet as $sn | .highlights[] | [.[0], .[1], $sn] | @tsv' "$TMP/j")
eq "highlights are whole 银行" 0 "$bad"

# dates keep their written zone: Z and RFC 2822 GMT, +0800, from file name
eq "Z date" "2020-03-16T01:00:00+00:00" "$(jq -r '.hits[0].date' <("$SOU_QUERY" --db "$DB" --json inflation rates))"
eq "date from file name" "2021-03-05T00:00:00+08:00" "$(jq -r '.hits[0].date' <("$SOU_QUERY" --db "$DB" --json 玉兰))"
eq "tags as a list" '["半导体"]' "$(jq -c '[.hits[0].tags[] | select(. == "半导体")]' <("$SOU_QUERY" --db "$DB" --json tag:半导体))"
eq "no hits: empty list, exit 1" "0" "$("$SOU_QUERY" --db "$DB" --json zzzznothing | jq '.hits|length')"
rc "no hits exit status with --json" 1 "$SOU_QUERY" --db "$DB" --json zzzznothing
finish
