/*
 * run_json: the SQL expression for one run as a JSON object, shared by
 * `ccr runs --json` and `ccr show --json` (DESIGN.md's contract): id, recipe,
 * version, trigger, started, finished, status, host, mode, sweep, external_id,
 * exit_code, overlap, promote (null or {outcome, version, at, reason}), tiers
 * (an object: tier name -> {status, tests, failures, errors, skipped, time_ms,
 * reason}, in display order). Times are ISO 8601 UTC with Z. The run table is
 * aliased r.
 */
#ifndef CCR_RUN_JSON_H
#define CCR_RUN_JSON_H

#define SQL_ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"

/* json() around subqueries and CASE: sqlite's JSON subtype does not cross them */
/* clang-format off */
#define SQL_RUN_JSON_OBJECT                                                                        \
	"json_object('id', r.id, 'recipe', r.recipe, 'version', r.version,"                      \
	" 'trigger', r.trigger_kind, 'started', " SQL_ISO("r.started") ","                     \
	" 'finished', " SQL_ISO("r.finished") ", 'status', r.status, 'host', r.host,"         \
	" 'mode', r.mode, 'sweep', r.sweep_id, 'external_id', r.external_id,"                    \
	" 'exit_code', r.exit_code, 'overlap', r.overlap,"                                       \
	" 'promote', json(CASE WHEN r.promote_outcome IS NOT NULL THEN json_object("             \
	"   'outcome', r.promote_outcome, 'version', r.promote_version,"                         \
	"   'at', " SQL_ISO("r.promote_at") ", 'reason', r.promote_reason) END),"               \
	" 'tiers', json((SELECT json_group_object(name, json_object('status', status,"          \
	"   'tests', tests, 'failures', failures, 'errors', errors, 'skipped', skipped,"         \
	"   'time_ms', time_ms, 'reason', reason))"                                              \
	"   FROM (SELECT * FROM tier WHERE run_id = r.id ORDER BY seq, name)))"                  \
	")"
/* clang-format on */

#endif
