/*
 * harness: the simulated CI harness of `make demo` and the end-to-end tests.
 *
 * It behaves like cc-ci's run_recipe_ci.py as `ccr collect sweep` sees it: it
 * reads CCR_RECIPE, CCR_RUN_DIR, CCR_JUNIT_DIR, CCR_TRIGGER and CCR_SWEEP, writes
 * one pytest-style (xunit2) JUnit file per tier into CCR_JUNIT_DIR, a deploy log
 * with ANSI colours into CCR_RUN_DIR/logs/<recipe>.log, a run.json with its own
 * simulated times, prints a short summary on stdout and exits non-zero when a
 * tier or the promote failed. It never deploys anything and never sleeps.
 *
 * Everything is a pure function of (CCR_DEMO_SEED, CCR_DEMO_NIGHT, recipe,
 * trigger): the same inputs give byte-identical files. Night N is the sweep of
 * DEMO_FIRST_DATE + N days, starting 00:15Z; its runs run in DEMO_LANES lanes
 * (as `--jobs 4` would), so runs of a night overlap; isolation re-runs of night N
 * are placed from 06:00Z, one after another, never overlapping.
 *
 * The failure shapes of the operator's journal (DOMAIN.md) are scripted per
 * recipe in `recipes` below.
 *
 * Helper modes for demo/run-demo.sh (print and exit):
 *   harness --recipes         the demo recipes, one per line
 *   harness --nights          how many nights the demo history has
 *   harness --night-info N    "DATE SWEEP_START SWEEP_ID ISOLATION_START ISOLATE(0|1)"
 */
#include "lib/buf.h"
#include "lib/cli.h"
#include "lib/msg.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_FIRST_DATE "2026-05-22" /* night 0; night 27 is 2026-06-18 */
#define DEMO_NIGHTS 28		     /* four weeks: enough history to browse */
#define DEMO_LANES 4		     /* the demo sweeps with --jobs 4 */
#define DEMO_HOST "cc-ci"	     /* every simulated run is on one node */
#define DEMO_DOMAIN "ci.commoninternet.net"
#define HARNESS_REF "9c4d2e7a1b83f5061d2c4e8a7b9f0d13c5e6a2b4"
#define SWEEP_START_SECS (15 * 60)	/* sweeps start 00:15Z */
#define ISOLATION_START_SECS (6 * 3600) /* isolation re-runs from 06:00Z, after the sweep */
#define ISOLATION_SLOT_SECS (40 * 60)	/* one recipe's isolation slot; runs are shorter */
#define MAX_TESTS 10			/* per tier */

enum { T_INSTALL, T_UPGRADE, T_BACKUP, T_RESTORE, T_CUSTOM, NTIERS };
static const char *const tier_names[NTIERS] = {"install", "upgrade", "backup", "restore", "custom"};

enum shape {
	HEALTHY,
	RESTORE_DEFECT, /* mattermost-lts: deterministic restore failure at one tag, fixed by the
			   next */
	LOAD_FLAKE,	/* mumble: handshake fails under a concurrent sweep, passes alone */
	STALE_TEST,	/* discourse: two upgrade tests assert an unreleased migration */
	PROMOTE_FAILS,	/* bluesky-pds: green, then the promote's health check sees status 0 */
	ADVANCE_CRASH,	/* gitea: green cold run, the advance crash-loops; one night the harness
			   crashes */
	NOT_ENROLLED,	/* keycloak: no canonical (its warm domain is the live OIDC provider) */
	NEW_FAILURE,	/* hedgedoc: the last night's new tag breaks one test: "new" */
};

struct tagspan {
	int from; /* first night with this tag as latest */
	const char *tag;
};

struct recipe {
	const char *name;
	enum shape shape;
	struct tagspan tags[4]; /* ascending `from`; ends at tag NULL */
	unsigned na;		/* bit (1 << tier) per expected-NA tier */
	const char *services;	/* compose services, for the log */
	int port;		/* the app's port behind the proxy */
	const char *custom_module;
	const char *custom[8]; /* the custom tier's tests; NULL-terminated */
};

/* Order matters: recipe i runs in lane i % DEMO_LANES of a sweep. */
static const struct recipe recipes[] = {
    {"mattermost-lts",
     RESTORE_DEFECT,
     {{0, "2.1.8+10.11.14"}, {6, "2.1.9+10.11.15"}, {22, "2.1.10+10.11.16"}},
     0,
     "app postgres",
     8065,
     "custom.test_messaging",
     {"test_create_team", "test_post_message", "test_websocket_events", "test_file_upload",
      "test_webhook_delivery"}},
    {"mumble",
     LOAD_FLAKE,
     {{0, "0.9.3+v1.5.735-1"}, {9, "1.0.0+v1.6.870-0"}},
     0,
     "app web",
     64738,
     "custom.test_protocol_handshake",
     {"test_handshake_completes_with_channel_presence", "test_server_version_banner",
      "test_web_client_served", "test_channel_tree_listed"}},
    {"discourse",
     STALE_TEST,
     {{0, "0.8.0+3.4.7"}, {11, "0.8.1+3.5.0"}},
     0,
     "app db redis sidekiq",
     3000,
     "custom.test_forum",
     {"test_srv_status_ok", "test_create_topic", "test_sidekiq_processes_jobs",
      "test_email_digest_queued"}},
    {"bluesky-pds",
     PROMOTE_FAILS,
     {{0, "0.2.4+v0.4.182"}, {7, "0.3.0+v0.4.219"}},
     1u << T_UPGRADE,
     "app caddy",
     3000,
     "custom.test_xrpc",
     {"test_xrpc_health", "test_create_account", "test_describe_server",
      "test_tls_check_endpoint"}},
    {"gitea",
     ADVANCE_CRASH,
     {{0, "3.5.3+1.23.8"}, {15, "3.6.0+1.24.2"}},
     0,
     "app db",
     3000,
     "custom.test_git",
     {"test_push_over_https", "test_clone_over_ssh", "test_api_version", "test_lfs_upload",
      "test_webhook_fires"}},
    {"keycloak",
     NOT_ENROLLED,
     {{0, "10.3.1+26.2.5"}},
     0,
     "app db",
     8080,
     "custom.test_oidc",
     {"test_realm_master_served", "test_oidc_discovery", "test_admin_token"}},
    {"immich",
     HEALTHY,
     {{0, "1.5.0+v1.132.3"}, {13, "1.6.0+v1.135.3"}},
     0,
     "app machine-learning database redis",
     2283,
     "custom.test_photos",
     {"test_upload_asset", "test_thumbnail_generated", "test_server_ping",
      "test_smart_search_model_loaded"}},
    {"custom-html",
     HEALTHY,
     {{0, "1.12.0+1.29.0"}, {8, "1.13.0+1.31.1"}},
     0,
     "app",
     80,
     "custom.test_static",
     {"test_index_served", "test_gzip_enabled", "test_cache_headers"}},
    {"nextcloud",
     HEALTHY,
     {{0, "8.0.1+31.0.6"}, {18, "8.1.0+31.0.7"}},
     0,
     "app db redis cron",
     80,
     "custom.test_files",
     {"test_webdav_upload", "test_cron_job_ran", "test_occ_status", "test_smtp_delivery",
      "test_preview_generated", "test_app_store_reachable"}},
    {"wordpress",
     HEALTHY,
     {{0, "2.6.0+6.8.1"}},
     0,
     "app db",
     80,
     "custom.test_site",
     {"test_front_page", "test_wp_cron", "test_plugin_api_rate_limit", "test_media_upload"}},
    {"hedgedoc",
     NEW_FAILURE,
     {{0, "2.1.0+1.10.3"}, {27, "2.2.0+1.10.4"}},
     0,
     "app db",
     3000,
     "custom.test_notes",
     {"test_create_note", "test_image_upload_roundtrip", "test_realtime_edit",
      "test_smtp_delivery"}},
    {"matrix-synapse",
     HEALTHY,
     {{0, "5.2.0+v1.130.0"}},
     0,
     "app db",
     8008,
     "custom.test_matrix",
     {"test_register_user", "test_send_message", "test_federation_version", "test_media_repo"}},
    {"drone",
     HEALTHY,
     {{0, "1.13.0-rootless_3"}, {20, "1.14.1-rootless_1"}},
     1u << T_CUSTOM,
     "app runner",
     80,
     "custom.test_ci",
     {NULL}},
};
#define NRECIPES (sizeof(recipes) / sizeof(recipes[0]))

/* a recipe the demo does not know (the end-to-end tests' own lists): healthy */
static const struct recipe generic = {"",
				      HEALTHY,
				      {{0, "1.0.0+1.0.0"}},
				      0,
				      "app",
				      80,
				      "custom.test_app",
				      {"test_home_page", "test_api_ping", "test_static_assets"}};

static const char *const std_tests[NTIERS][8] = {
    {"test_deploy_converges", "test_https_serves_200", "test_all_services_running",
     "test_version_label_matches_tag", "test_no_restart_loops", "test_secrets_generated",
     "test_healthcheck_passes", "test_admin_login"},
    {"test_upgrade_from_previous_tag", "test_services_converge_after_upgrade",
     "test_data_survives_upgrade", "test_version_label_after_upgrade",
     "test_no_restart_loops_after_upgrade"},
    {"test_backup_completes", "test_backup_snapshot_listed", "test_backup_contains_volumes",
     "test_backup_hooks_ran", "test_backup_size_nonzero"},
    {"test_restore_completes", "test_restore_returns_state", "test_services_healthy_after_restore",
     "test_restore_idempotent", "test_https_after_restore"},
    {NULL},
};

/* ---- determinism: every choice is a hash of the seed and what it is about ---- */

static uint64_t seed = 1;

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* a number from the seed, a night, a recipe and what the number is for */
static uint64_t h(int night, const char *recipe, const char *what)
{
	uint64_t x = 1469598103934665603ull;
	for (const char *p = recipe; *p; p++)
		x = (x ^ (unsigned char)*p) * 1099511628211ull;
	x = (x ^ 0xff) * 1099511628211ull;
	for (const char *p = what; *p; p++)
		x = (x ^ (unsigned char)*p) * 1099511628211ull;
	return mix(x ^ mix(seed + mix((uint64_t)night)));
}

/* a number in [lo, hi] */
static int pick(int night, const char *recipe, const char *what, int lo, int hi)
{
	return lo + (int)(h(night, recipe, what) % (uint64_t)(hi - lo + 1));
}

/* ---- the script: what happens to a recipe on a night ---- */

static int recipe_index(const struct recipe *r)
{
	return r == &generic ? (int)NRECIPES : (int)(r - recipes);
}

static const char *tag_at(const struct recipe *r, int night)
{
	const char *t = r->tags[0].tag;
	for (int i = 0; i < 4 && r->tags[i].tag; i++)
		if (r->tags[i].from <= night)
			t = r->tags[i].tag;
	return t;
}

/* nights after which the operator re-runs the sweep's failures alone (not the
 * last night: the morning view then shows failures still waiting for one) */
static int isolation_night(int night)
{
	return night % 4 == 3 && night < DEMO_NIGHTS - 1;
}

/* the handshake flakes under load: forced on two isolation nights (so isolation
 * re-runs show it green) and on the last night (so the morning view shows a known
 * load flake), and at random on about 3 sweeps in 10 */
static int mumble_flakes(int night)
{
	return night == 19 || night == 23 || night == DEMO_NIGHTS - 1 ||
	       h(night, "mumble", "load") % 10 < 3;
}

static int crashes(const struct recipe *r, int night, int isolated)
{
	return r->shape == ADVANCE_CRASH && night == 19 && !isolated;
}

/* the failing test of (tier, test) on this run, or NULL when it passes */
static int fails(const struct recipe *r, int night, int isolated, int tier, const char *test)
{
	const char *tag = tag_at(r, night);
	switch (r->shape) {
	case RESTORE_DEFECT:
		return tier == T_RESTORE && !strcmp(test, "test_restore_returns_state") &&
		       !strcmp(tag, "2.1.9+10.11.15");
	case LOAD_FLAKE:
		return tier == T_CUSTOM && !isolated && mumble_flakes(night) &&
		       !strcmp(test, "test_handshake_completes_with_channel_presence");
	case STALE_TEST:
		return tier == T_UPGRADE && !strcmp(tag, "0.8.1+3.5.0") &&
		       (!strcmp(test, "test_head_runs_official_image_not_bitnamilegacy") ||
			!strcmp(test, "test_sidekiq_service_dropped_by_head"));
	case NEW_FAILURE:
		return tier == T_CUSTOM && !strcmp(test, "test_image_upload_roundtrip") &&
		       !strcmp(tag, "2.2.0+1.10.4");
	default:
		return 0;
	}
}

static int green(const struct recipe *r, int night, int isolated);

/* why the promote of a green run fails, or NULL */
static const char *promote_failure(const struct recipe *r, int night, int isolated,
				   const char *canonical)
{
	const char *tag = tag_at(r, night);
	if (r->shape == PROMOTE_FAILS)
		return "warm-bluesky-pds." DEMO_DOMAIN
		       ": not healthy over HTTPS /xrpc/_health (last status 0)";
	if (r->shape == ADVANCE_CRASH && canonical && strcmp(tag, canonical)) {
		/* the first advance finds the canonical left deployed by an earlier
		 * phase; the operator undeploys it, and the isolation re-run shows the
		 * real defect */
		if (night == r->tags[1].from && !isolated)
			return "FATA warm-gitea." DEMO_DOMAIN " is already deployed";
		return "warm-gitea." DEMO_DOMAIN ": crash loop after advance: failed to save "
		       "\"/etc/gitea/app.ini\": open /etc/gitea/app.ini: read-only file system";
	}
	return NULL;
}

/* the canonical version before this run: replays the promotes of the sweeps
 * before it. Only sweeps promote (an isolation re-run is diagnosis; it reports a
 * promote only to show that it fails), so the canonical does not depend on which
 * recipes the operator, or --rerun-isolated, chose to re-run. */
static const char *canonical_before(const struct recipe *r, int night)
{
	const char *canon = NULL;
	if (r->shape == NOT_ENROLLED)
		return NULL;
	for (int m = 0; m < night; m++) {
		const char *tag = tag_at(r, m);
		if (green(r, m, 0) && (!canon || strcmp(canon, tag)) &&
		    !promote_failure(r, m, 0, canon))
			canon = tag;
	}
	return canon;
}

/* ---- one run, planned in full before anything is written ---- */

struct tcase {
	const char *module; /* "test_restore", "custom.test_protocol_handshake" */
	const char *name;
	char status; /* 'p' passed, 'f' failed, 's' skipped, 'x' xfail */
	int ms;
};

struct tier_plan {
	int na;	 /* expected-NA: no JUnit */
	int ran; /* reached before a crash */
	struct tcase cases[MAX_TESTS];
	int n;
	int64_t start; /* seconds */
	int secs;      /* tier length including pytest start-up */
};

struct plan {
	const struct recipe *r;
	const char *name; /* the recipe name (generic: CCR_RECIPE) */
	int night, isolated;
	const char *tag;
	char ref[41];
	int64_t started, finished;
	int deploy_secs; /* deploy before the first tier */
	struct tier_plan tiers[NTIERS];
	int crashed;
	int failed;	       /* testcases failed */
	const char *canonical; /* before this run */
	const char *promote;   /* promoted | advanced | failed | skipped | NULL */
	const char *promote_reason;
	int64_t promote_at;
	int exit_code;
};

static void add_case(struct tier_plan *tp, const struct plan *p, const char *module,
		     const char *name, int tier)
{
	if (tp->n >= MAX_TESTS)
		return;
	struct tcase *c = &tp->cases[tp->n++];
	c->module = module;
	c->name = name;
	c->status = fails(p->r, p->night, p->isolated, tier, name) ? 'f' : 'p';
	/* most tests are quick HTTP probes; a few wait on the app */
	c->ms = pick(p->night, p->name, name, 80, 2500);
	if (h(0, p->name, name) % 5 == 0)
		c->ms += pick(p->night, p->name, name, 5000, 40000);
	if (!strcmp(name, "test_smtp_delivery"))
		c->status = 's', c->ms = 0;
	if (!strcmp(name, "test_plugin_api_rate_limit"))
		c->status = 'x';
	if (c->status == 'f' && p->r->shape == LOAD_FLAKE)
		c->ms = 60000 + pick(p->night, p->name, "retry", 100, 900);
}

static void plan_tiers(struct plan *p)
{
	const struct recipe *r = p->r;
	for (int t = 0; t < NTIERS; t++) {
		struct tier_plan *tp = &p->tiers[t];
		tp->na = (r->na >> t) & 1;
		if (tp->na)
			continue;
		if (t == T_CUSTOM) {
			for (int i = 0; i < 8 && r->custom[i]; i++)
				add_case(tp, p, r->custom_module, r->custom[i], t);
			continue;
		}
		int max = 0;
		while (max < 8 && std_tests[t][max])
			max++;
		/* 3 to all of them, fixed per recipe and tier so the test set is stable */
		int n = 3 + (int)(h(0, p->name, tier_names[t]) % (uint64_t)(max - 2));
		if (n > max)
			n = max;
		const char *module = t == T_INSTALL   ? "test_install"
				     : t == T_UPGRADE ? "test_upgrade"
				     : t == T_BACKUP  ? "test_backup"
						      : "test_restore";
		for (int i = 0; i < n; i++)
			add_case(tp, p, module, std_tests[t][i], t);
		/* the overlay tests for the official-image PR exist from the 0.8.1 tag on */
		if (r->shape == STALE_TEST && t == T_UPGRADE && !strcmp(p->tag, "0.8.1+3.5.0")) {
			add_case(tp, p, module, "test_head_runs_official_image_not_bitnamilegacy",
				 t);
			add_case(tp, p, module, "test_sidekiq_service_dropped_by_head", t);
		}
	}
}

/* fills in the times: deploy, then the tiers one after another, then the promote */
static void plan_times(struct plan *p, int64_t start)
{
	p->started = start;
	p->deploy_secs = pick(p->night, p->name, "deploy", 60, 240);
	int64_t t = start + p->deploy_secs;
	for (int i = 0; i < NTIERS; i++) {
		struct tier_plan *tp = &p->tiers[i];
		tp->start = t;
		if (tp->na)
			continue;
		int64_t ms = 0;
		for (int k = 0; k < tp->n; k++)
			ms += tp->cases[k].ms;
		/* upgrade and restore redeploy before their tests */
		int extra = i == T_UPGRADE || i == T_RESTORE
				? pick(p->night, p->name, tier_names[i], 90, 300)
				: pick(p->night, p->name, tier_names[i], 3, 12);
		tp->secs = (int)(ms / 1000) + extra;
		t += tp->secs;
	}
	p->promote_at = t + 30;
	/* teardown, and the promote deploy (reserved whether it happens or not) */
	p->finished = t + pick(p->night, p->name, "teardown", 120, 420);
}

static void plan_run(struct plan *p, const struct recipe *r, const char *name, int night,
		     int isolated);

/* where a run starts: its lane's earlier runs go first (sweep), or its own slot */
static int64_t run_start(const struct recipe *r, int night, int isolated, int64_t day)
{
	int idx = recipe_index(r);
	if (isolated)
		return day + ISOLATION_START_SECS + (int64_t)idx * ISOLATION_SLOT_SECS;
	int64_t t = day + SWEEP_START_SECS + idx % DEMO_LANES * 7;
	for (int k = idx % DEMO_LANES; k < idx && k < (int)NRECIPES; k += DEMO_LANES) {
		struct plan q;
		plan_run(&q, &recipes[k], recipes[k].name, night, 0);
		plan_times(&q, 0);
		t += q.finished - q.started + pick(night, recipes[k].name, "gap", 20, 90);
	}
	return t;
}

static int64_t night_day(int night)
{
	int64_t d;
	if (time_parse(DEMO_FIRST_DATE, &d))
		die("bad DEMO_FIRST_DATE");
	return d + (int64_t)night * 86400;
}

static void plan_run(struct plan *p, const struct recipe *r, const char *name, int night,
		     int isolated)
{
	memset(p, 0, sizeof(*p));
	p->r = r;
	p->name = name;
	p->night = night;
	p->isolated = isolated;
	p->tag = tag_at(r, night);
	snprintf(p->ref, sizeof(p->ref), "%016llx%016llx%08x",
		 (unsigned long long)h(0, name, p->tag), (unsigned long long)h(1, name, p->tag),
		 (unsigned)(h(2, name, p->tag) & 0xffffffffu));
	plan_tiers(p);
	p->crashed = crashes(r, night, isolated);
	p->started = 0;
}

/* all tiers pass and the harness does not crash (the promote aside) */
static int green(const struct recipe *r, int night, int isolated)
{
	if (crashes(r, night, isolated))
		return 0;
	struct plan q;
	plan_run(&q, r, r->name, night, isolated);
	for (int t = 0; t < NTIERS; t++)
		for (int i = 0; i < q.tiers[t].n; i++)
			if (q.tiers[t].cases[i].status == 'f')
				return 0;
	return 1;
}

/* the whole plan, times and promote included */
static void plan_full(struct plan *p, const struct recipe *r, const char *name, int night,
		      int isolated)
{
	plan_run(p, r, name, night, isolated);
	plan_times(p, run_start(r, night, isolated, night_day(night)));
	for (int t = 0; t < NTIERS; t++)
		for (int i = 0; i < p->tiers[t].n; i++)
			p->failed += p->tiers[t].cases[i].status == 'f';
	if (p->crashed) {
		/* the harness dies during the install deploy: no tier ran */
		p->finished = p->started + p->deploy_secs + 7;
		p->exit_code = 1;
		return;
	}
	for (int t = 0; t < NTIERS; t++)
		p->tiers[t].ran = 1;
	p->canonical = canonical_before(r, night);
	if (!p->failed) {
		const char *why = promote_failure(r, night, isolated, p->canonical);
		if (r->shape == NOT_ENROLLED) {
			p->promote = "skipped";
			p->promote_reason =
			    "not enrolled for canonicals: warm-keycloak." DEMO_DOMAIN
			    " is the live OIDC provider";
		} else if (why) {
			p->promote = "failed";
			p->promote_reason = why;
		} else if (isolated) {
			/* a green isolation re-run leaves the promote to the next sweep */
		} else if (!p->canonical) {
			p->promote = "promoted";
		} else if (strcmp(p->canonical, p->tag)) {
			p->promote = "advanced";
		}
	}
	p->exit_code = p->failed || (p->promote && !strcmp(p->promote, "failed")) ? 1 : 0;
}

/* ---- writing ---- */

/* XML as pytest writes it: & < > always; in an attribute (attr = 1) also " and
 * newlines, which text content keeps as they are */
static void xml_escape(struct buf *b, const char *s, int attr)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_adds(b, "&amp;");
		else if (*s == '<')
			buf_adds(b, "&lt;");
		else if (*s == '>')
			buf_adds(b, "&gt;");
		else if (attr && *s == '"')
			buf_adds(b, "&quot;");
		else if (attr && *s == '\n')
			buf_adds(b, "&#10;");
		else
			buf_addc(b, *s);
	}
}

static void fmt_clock(int64_t t, char out[9])
{
	char iso[21];
	time_fmt_iso(t, iso);
	memcpy(out, iso + 11, 8);
	out[8] = 0;
}

/* pytest's failure message and traceback for a failing test */
static void failure_text(const struct plan *p, const struct tcase *c, struct buf *msg,
			 struct buf *tb)
{
	char file[160];
	snprintf(file, sizeof(file), "tests/%s/%s.py", p->name, c->module);
	for (char *s = file; *s; s++)
		if (*s == '.' && strcmp(s, ".py"))
			*s = '/';
	if (!strcmp(c->name, "test_restore_returns_state")) {
		buf_adds(msg,
			 "psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist\n"
			 "LINE 1: SELECT value FROM ci_marker WHERE id = 1\n"
			 "                          ^");
		buf_addf(
		    tb,
		    "app = <App %s ccci-%s-%04llx.%s>\n\n"
		    "    def test_restore_returns_state(app):\n"
		    "        \"\"\"the marker seeded before the backup is back after the "
		    "restore\"\"\"\n"
		    "        with app.psql(\"postgres\") as db:\n"
		    ">           rows = db.query(\"SELECT value FROM ci_marker WHERE id = 1\")\n\n"
		    "%s:48: \n"
		    "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ "
		    "_\n"
		    "tests/harness/db.py:131: in query\n"
		    "    cur.execute(sql, params)\n"
		    "E   psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist\n"
		    "E   LINE 1: SELECT value FROM ci_marker WHERE id = 1\n"
		    "E                             ^",
		    p->name, p->name, (unsigned long long)(h(p->night, p->name, "dom") & 0xffff),
		    DEMO_DOMAIN, file);
	} else if (!strcmp(c->name, "test_handshake_completes_with_channel_presence")) {
		int ms = pick(p->night, p->name, "hs", 60012, 60980);
		buf_addf(msg,
			 "AssertionError: handshake did not complete within 60s (12 attempts, 5.0s "
			 "apart): last error: ServerSync not received after TLS (timed out after "
			 "%d ms)\n"
			 "assert False",
			 ms);
		buf_addf(
		    tb,
		    "app = <App mumble ccci-mumble-%04llx.%s>\n\n"
		    "    def test_handshake_completes_with_channel_presence(app):\n"
		    "        state = retry_handshake(app.domain, 64738, attempts=12, "
		    "interval=5.0)\n"
		    ">       assert state.synced, (\n"
		    "            f\"handshake did not complete within 60s (12 attempts, 5.0s "
		    "apart): \"\n"
		    "            f\"last error: {state.last_error}\"\n"
		    "        )\n"
		    "E       AssertionError: handshake did not complete within 60s (12 attempts, "
		    "5.0s apart): last error: ServerSync not received after TLS (timed out after "
		    "%d "
		    "ms)\n"
		    "E       assert False\n"
		    "E        +  where False = HandshakeState(synced=False, channels=[], "
		    "last_error='ServerSync not received after TLS (timed out after %d "
		    "ms)').synced\n\n"
		    "%s:41: AssertionError",
		    (unsigned long long)(h(p->night, p->name, "dom") & 0xffff), DEMO_DOMAIN, ms, ms,
		    file);
	} else if (!strcmp(c->name, "test_head_runs_official_image_not_bitnamilegacy")) {
		buf_adds(msg,
			 "AssertionError: app image is bitnamilegacy/discourse:3.5.0, expected "
			 "discourse/discourse:3.5.3\n"
			 "assert 'bitnamilegacy/discourse:3.5.0' == 'discourse/discourse:3.5.3'");
		buf_addf(
		    tb,
		    "head = <Deployment discourse head f87c612d+U>\n\n"
		    "    def test_head_runs_official_image_not_bitnamilegacy(head):\n"
		    "        image = head.service_image(\"app\")\n"
		    ">       assert image == \"discourse/discourse:3.5.3\", (\n"
		    "            f\"app image is {image}, expected discourse/discourse:3.5.3\")\n"
		    "E       AssertionError: app image is bitnamilegacy/discourse:3.5.0, expected "
		    "discourse/discourse:3.5.3\n"
		    "E       assert 'bitnamilegacy/discourse:3.5.0' == "
		    "'discourse/discourse:3.5.3'\n"
		    "E         - discourse/discourse:3.5.3\n"
		    "E         + bitnamilegacy/discourse:3.5.0\n\n"
		    "%s:77: AssertionError",
		    file);
	} else if (!strcmp(c->name, "test_sidekiq_service_dropped_by_head")) {
		buf_adds(msg, "AssertionError: services ['app', 'db', 'redis', 'sidekiq'] still "
			      "include sidekiq\n"
			      "assert 'sidekiq' not in ['app', 'db', 'redis', 'sidekiq']");
		buf_addf(tb,
			 "head = <Deployment discourse head f87c612d+U>\n\n"
			 "    def test_sidekiq_service_dropped_by_head(head):\n"
			 "        services = sorted(head.services())\n"
			 ">       assert \"sidekiq\" not in services, f\"services {services} still "
			 "include "
			 "sidekiq\"\n"
			 "E       AssertionError: services ['app', 'db', 'redis', 'sidekiq'] still "
			 "include sidekiq\n"
			 "E       assert 'sidekiq' not in ['app', 'db', 'redis', 'sidekiq']\n\n"
			 "%s:92: AssertionError",
			 file);
	} else {
		buf_adds(msg,
			 "AssertionError: upload of 2 MiB image returned 413 Request Entity Too "
			 "Large\nassert 413 == 200");
		buf_addf(
		    tb,
		    "app = <App %s>\n\n"
		    "    def test_image_upload_roundtrip(app):\n"
		    "        r = app.post(\"/uploadimage\", files={\"image\": png(2 * MiB)})\n"
		    ">       assert r.status_code == 200, (\n"
		    "            f\"upload of 2 MiB image returned {r.status_code} {r.reason}\")\n"
		    "E       AssertionError: upload of 2 MiB image returned 413 Request Entity Too "
		    "Large\n"
		    "E       assert 413 == 200\n\n"
		    "%s:58: AssertionError",
		    p->name, file);
	}
}

static int write_file(const char *dir, const char *name, const struct buf *b)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return error("'%s': path too long", name);
	FILE *f = fopen(path, "w");
	if (!f)
		return error("'%s': %s", path, strerror(errno));
	fwrite(b->data ? b->data : "", 1, b->len, f);
	if (ferror(f) | fclose(f))
		return error("'%s': write failed", path);
	return 0;
}

/* junit/<tier>__cc-ci__test_<tier>.xml as pytest --junitxml (xunit2) writes it */
static int write_junit(const struct plan *p, const char *junit_dir, int t)
{
	const struct tier_plan *tp = &p->tiers[t];
	struct buf b = BUF_INIT;
	int failures = 0, skipped = 0;
	int64_t total = 0;
	for (int i = 0; i < tp->n; i++) {
		failures += tp->cases[i].status == 'f';
		skipped += tp->cases[i].status == 's' || tp->cases[i].status == 'x';
		total += tp->cases[i].ms;
	}
	char iso[21];
	time_fmt_iso(tp->start, iso);
	iso[19] = 0; /* pytest writes local time without a zone; the node runs on UTC */
	buf_addf(&b,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites><testsuite name=\"pytest\" "
		 "errors=\"0\" failures=\"%d\" skipped=\"%d\" tests=\"%d\" time=\"%lld.%03lld\" "
		 "timestamp=\"%s.%06d\" hostname=\"%s\">",
		 failures, skipped, tp->n, (long long)(total / 1000), (long long)(total % 1000),
		 iso, pick(p->night, p->name, tier_names[t], 0, 999999), DEMO_HOST);
	for (int i = 0; i < tp->n; i++) {
		const struct tcase *c = &tp->cases[i];
		buf_addf(&b, "<testcase classname=\"tests.%s.%s\" name=\"%s\" time=\"%d.%03d\"",
			 p->name, c->module, c->name, c->ms / 1000, c->ms % 1000);
		if (c->status == 'p') {
			buf_adds(&b, " />");
			continue;
		}
		buf_adds(&b, ">");
		if (c->status == 'f') {
			struct buf msg = BUF_INIT, tb = BUF_INIT;
			failure_text(p, c, &msg, &tb);
			buf_adds(&b, "<failure message=\"");
			xml_escape(&b, buf_str(&msg), 1);
			buf_adds(&b, "\">");
			xml_escape(&b, buf_str(&tb), 0);
			buf_adds(&b, "</failure>");
			buf_release(&msg);
			buf_release(&tb);
		} else if (c->status == 's') {
			buf_addf(&b,
				 "<skipped type=\"pytest.skip\" message=\"no SMTP relay on cc-ci\">"
				 "/srv/cc-ci/tests/%s/%s.py:12: no SMTP relay on cc-ci</skipped>",
				 p->name, c->module);
		} else {
			buf_adds(
			    &b,
			    "<skipped type=\"pytest.xfail\" message=\"plugin API is rate-limited "
			    "from CI addresses\" />");
		}
		buf_adds(&b, "</testcase>");
	}
	buf_adds(&b, "</testsuite></testsuites>");
	char name[64];
	snprintf(name, sizeof(name), "%s__cc-ci__test_%s.xml", tier_names[t], tier_names[t]);
	int rc = write_file(junit_dir, name, &b);
	buf_release(&b);
	return rc;
}

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BLUE "\033[34m"
#define C_CYAN "\033[36m"

static void log_line(struct buf *b, int64_t t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_line(struct buf *b, int64_t t, const char *fmt, ...)
{
	char clk[9];
	fmt_clock(t, clk);
	buf_addf(b, C_DIM "[%s]" C_RESET " ", clk);
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
	buf_addc(b, '\n');
}

/* the deploy of app (a domain); warm: the promote's deploy at the canonical's domain */
static void log_deploy(struct buf *b, const struct plan *p, const char *app, int64_t t, int secs,
		       int warm)
{
	char stack[160];
	snprintf(stack, sizeof(stack), "%s", app);
	for (char *s = stack; *s; s++)
		if (*s == '.')
			*s = '_';
	log_line(b, t, C_CYAN "$ abra app deploy %s --no-input%s" C_RESET, app,
		 warm ? "" : " --chaos");
	char svc[128];
	snprintf(svc, sizeof(svc), "%s", p->r->services);
	int n = 0;
	for (char *s = strtok(svc, " "); s; s = strtok(NULL, " "))
		log_line(b, t + 1, "  creating service %s_%s", stack, s), n++;
	if (p->r->shape == STALE_TEST)
		log_line(b, t + 1,
			 C_YELLOW
			 "prepull: docker compose config --images rc=15: service sidekiq depends "
			 "on undefined service discourse: invalid compose project; skipping "
			 "(deploy will pull as usual)" C_RESET);
	for (int k = 1; k <= 3; k++)
		log_line(b, t + secs * k / 4, "  waiting for services to converge (%d/%d running)",
			 k * n / 3 > n ? n : k * n / 3, n);
	if (p->r->shape == PROMOTE_FAILS) {
		/* caddy asks app:3000/tls-check, and `app` resolves to other stacks'
		 * services on the shared proxy network: a different address each time */
		static const char *const what[] = {"ip0", "ip1", "ip2", "ip3",
						   "ip4", "ip5", "ip6", "ip7"};
		for (int k = 0; k < (warm ? 8 : 2); k++)
			log_line(b, t + secs / 2 + k,
				 "  caddy-1 | "
				 "{\"level\":\"error\",\"logger\":\"tls\",\"msg\":\"failed to get "
				 "permission for on-demand "
				 "certificate\",\"domain\":\"%s\",\"error\":\"Get "
				 "\\\"http://app:3000/tls-check?domain=%s\\\": dial tcp "
				 "10.10.0.%d:3000: connect: "
				 "connection refused\"}",
				 app, app, pick(p->night, app, what[k], 2, 12));
	}
	log_line(b, t + secs, C_GREEN "✓ %s converged in %ds" C_RESET, app, secs);
}

/* the recipe metadata's EXPECTED_NA reason */
static const char *na_reason(const char *tier)
{
	return !strcmp(tier, "upgrade") ? "tracks a moving image tag (pds:0.4)"
					: "no functional tests written yet";
}

static void log_tier(struct buf *b, const struct plan *p, int t)
{
	const struct tier_plan *tp = &p->tiers[t];
	if (tp->na) {
		log_line(b, tp->start, C_YELLOW "== tier %s: EXPECTED_NA (recipe_meta: %s)" C_RESET,
			 tier_names[t], na_reason(tier_names[t]));
		return;
	}
	log_line(b, tp->start,
		 C_BOLD "== tier %s" C_RESET ": pytest --junitxml=junit/%s__cc-ci__test_%s.xml",
		 tier_names[t], tier_names[t], tier_names[t]);
	int64_t ms = 0;
	int passed = 0, failed = 0, skipped = 0;
	for (int i = 0; i < tp->n; i++) {
		const struct tcase *c = &tp->cases[i];
		ms += c->ms;
		char file[160];
		snprintf(file, sizeof(file), "%s", c->module);
		for (char *s = file; *s; s++)
			if (*s == '.')
				*s = '/';
		const char *word = c->status == 'p'   ? C_GREEN "PASSED" C_RESET
				   : c->status == 'f' ? C_RED "FAILED" C_RESET
				   : c->status == 's' ? C_YELLOW "SKIPPED" C_RESET
						      : C_YELLOW "XFAIL" C_RESET;
		log_line(b, tp->start + ms / 1000, "tests/%s/%s.py::%s %s [%3d%%]", p->name, file,
			 c->name, word, (i + 1) * 100 / tp->n);
		passed += c->status == 'p';
		failed += c->status == 'f';
		skipped += c->status == 's' || c->status == 'x';
	}
	for (int i = 0; i < tp->n; i++) {
		const struct tcase *c = &tp->cases[i];
		if (c->status != 'f')
			continue;
		struct buf msg = BUF_INIT, tb = BUF_INIT;
		failure_text(p, c, &msg, &tb);
		buf_addf(b, C_RED "_____ %s _____" C_RESET "\n", c->name);
		for (const char *s = buf_str(&tb); *s;) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n >= 2 && s[0] == 'E' && s[1] == ' ')
				buf_addf(b, C_RED "%.*s" C_RESET "\n", (int)n, s);
			else
				buf_addf(b, "%.*s\n", (int)n, s);
			s += n + (e != NULL);
		}
		buf_release(&msg);
		buf_release(&tb);
	}
	const char *colour = failed ? C_RED : C_GREEN;
	log_line(b, tp->start + tp->secs,
		 "%s== tier %s: %d passed, %d failed, %d skipped in %lld.%02llds" C_RESET, colour,
		 tier_names[t], passed, failed, skipped, (long long)(ms / 1000),
		 (long long)(ms % 1000 / 10));
}

static int write_log(const struct plan *p, const char *logs_dir, const char *trigger)
{
	struct buf b = BUF_INIT;
	char app[160];
	snprintf(app, sizeof(app), "ccci-%s-%04llx.%s", p->name,
		 (unsigned long long)(h(p->night, p->name, "dom") & 0xffff), DEMO_DOMAIN);
	log_line(&b, p->started,
		 C_BOLD C_BLUE "==> run_recipe_ci.py RECIPE=%s TAG=%s MODE=cold TRIGGER=%s" C_RESET,
		 p->name, p->tag, trigger);
	log_line(&b, p->started, "harness %.10s on %s; CCCI_SKIP_FETCH=1", HARNESS_REF, DEMO_HOST);
	log_line(&b, p->started + 1, C_CYAN "$ abra recipe checkout %s %s" C_RESET, p->name,
		 p->tag);
	log_line(&b, p->started + 2, "  HEAD is now at %.8s chore: publish %s release", p->ref,
		 p->tag);
	log_line(&b, p->started + 3,
		 C_CYAN "$ abra app new %s --server %s --domain %s --secrets" C_RESET, p->name,
		 DEMO_HOST, app);
	if (p->crashed) {
		log_line(&b, p->started + 5,
			 C_CYAN "$ abra app deploy %s --no-input --chaos" C_RESET, app);
		log_line(&b, p->started + p->deploy_secs, "  creating service %s_app", app);
		buf_adds(&b, C_RED
			 "Traceback (most recent call last):\n"
			 "  File \"/srv/cc-ci/runner/run_recipe_ci.py\", line 412, in <module>\n"
			 "    main()\n"
			 "  File \"/srv/cc-ci/runner/run_recipe_ci.py\", line 377, in main\n"
			 "    deployed = lifecycle.deploy(app, timeout=HTTP_TIMEOUT)\n"
			 "  File \"/srv/cc-ci/runner/harness/lifecycle.py\", line 96, in deploy\n"
			 "    for task in docker.tasks(service):\n"
			 "docker.errors.APIError: 500 Server Error for "
			 "http+docker://localhost/v1.47/tasks: Internal Server Error (\"rpc error: "
			 "code = DeadlineExceeded desc = context deadline exceeded\")" C_RESET
			 "\n");
	} else {
		log_deploy(&b, p, app, p->started + 5, p->deploy_secs - 5, 0);
		for (int t = 0; t < NTIERS; t++) {
			if (t == T_UPGRADE && !p->tiers[t].na)
				log_line(&b, p->tiers[t].start,
					 C_CYAN "$ abra app upgrade %s --chaos" C_RESET, app);
			if (t == T_RESTORE)
				log_line(&b, p->tiers[t].start,
					 C_CYAN "$ abra app restore %s" C_RESET
						" (Restoring Snapshot %08llx at /)",
					 app,
					 (unsigned long long)(h(p->night, p->name, "snap") &
							      0xffffffffu));
			log_tier(&b, p, t);
		}
		int64_t t = p->promote_at;
		if (p->promote && !strcmp(p->promote, "skipped")) {
			log_line(&b, t, C_YELLOW "promote: skipped: %s" C_RESET, p->promote_reason);
		} else if (p->promote) {
			char warm[160];
			snprintf(warm, sizeof(warm), "warm-%s.%s", p->name, DEMO_DOMAIN);
			log_line(&b, t, C_BOLD "WC5 promote-on-green-cold: %s %s -> %s" C_RESET,
				 p->canonical ? "advance" : "promote",
				 p->canonical ? p->canonical : "(none)", p->tag);
			if (!strcmp(p->promote, "failed") && p->r->shape == ADVANCE_CRASH &&
			    strstr(p->promote_reason, "app.ini")) {
				log_deploy(&b, p, warm, t + 1, 40, 1);
				for (int k = 0; k < 4; k++)
					log_line(
					    &b, t + 45 + k * 12,
					    "  %s_app.1 | "
					    "modules/setting/setting.go:105:LoadCommonSettings() "
					    "[F] Unable to load settings from config: error saving "
					    "JWT Secret "
					    "for custom config: failed to save "
					    "\"/etc/gitea/app.ini\": open "
					    "/etc/gitea/app.ini: read-only file system",
					    warm);
			} else if (!strcmp(p->promote, "failed") && p->r->shape == ADVANCE_CRASH) {
				log_line(&b, t + 2, C_RED "FATA %s is already deployed" C_RESET,
					 warm);
			} else {
				log_deploy(&b, p, warm, t + 1, 40, 1);
			}
			if (!strcmp(p->promote, "failed"))
				log_line(&b, t + 100,
					 C_RED "promote FAILED: %s; canonical stays at %s" C_RESET,
					 p->promote_reason, p->canonical ? p->canonical : "(none)");
			else
				log_line(&b, t + 100,
					 C_GREEN "%s %s at %s (canonical.json written)" C_RESET,
					 p->promote, warm, p->tag);
		}
		log_line(&b, p->finished - 2, C_CYAN "$ abra app undeploy %s --no-input" C_RESET,
			 app);
		log_line(&b, p->finished, "%sdone: exit %d" C_RESET, p->exit_code ? C_RED : C_GREEN,
			 p->exit_code);
	}
	char name[160];
	snprintf(name, sizeof(name), "%s.log", p->name);
	int rc = write_file(logs_dir, name, &b);
	buf_release(&b);
	return rc;
}

/* run.json, written with sqlite's JSON1 functions like everything else in ccr */
static int write_run_json(const struct plan *p, const char *dir, const char *trigger,
			  const char *sweep)
{
	static const char sql[] =
	    "SELECT json_object('recipe', :recipe, 'version', :version, 'ref', :ref, "
	    "'harness_ref', :href, 'host', :host, 'mode', 'cold', 'trigger', :trigger, "
	    "'sweep', :sweep, 'started', :started, 'finished', :finished, 'exit_code', :exit, "
	    "'tiers', CASE WHEN :na IS NULL THEN json_object() ELSE json_object(:na, "
	    "json_object('status', 'expected_na', 'reason', :na_reason)) END, 'promote', CASE WHEN "
	    ":outcome IS NULL THEN NULL ELSE "
	    "json_object('outcome', :outcome, 'version', :version, 'at', :at, 'reason', :reason) "
	    "END)";
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	int rc = -1;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		error("run.json: %s", sqlite3_errmsg(db));
		goto out;
	}
	char started[21], finished[21], at[21];
	time_fmt_iso(p->started, started);
	time_fmt_iso(p->finished, finished);
	time_fmt_iso(p->promote_at, at);
	/* at most one expected-NA tier per demo recipe */
	const char *na_tier = NULL;
	for (int t = 0; t < NTIERS; t++)
		if (p->tiers[t].na)
			na_tier = tier_names[t];
#define B(name, v)                                                                                 \
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, name), v, -1, SQLITE_TRANSIENT)
	B(":recipe", p->name);
	B(":version", p->tag);
	B(":ref", p->ref);
	B(":href", HARNESS_REF);
	B(":host", DEMO_HOST);
	B(":trigger", trigger);
	B(":sweep", sweep && *sweep && !strcmp(trigger, "sweep") ? sweep : NULL);
	B(":started", started);
	B(":finished", finished);
	B(":na", na_tier);
	B(":na_reason", na_tier ? na_reason(na_tier) : NULL);
	B(":outcome", p->promote);
	B(":at", p->promote ? at : NULL);
	B(":reason", p->promote_reason);
#undef B
	sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":exit"), p->exit_code);
	if (sqlite3_step(s) != SQLITE_ROW) {
		error("run.json: %s", sqlite3_errmsg(db));
		goto out;
	}
	struct buf b = BUF_INIT;
	buf_adds(&b, (const char *)sqlite3_column_text(s, 0));
	buf_addc(&b, '\n');
	rc = write_file(dir, "run.json", &b);
	buf_release(&b);
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

static const struct recipe *find_recipe(const char *name)
{
	for (size_t i = 0; i < NRECIPES; i++)
		if (!strcmp(recipes[i].name, name))
			return &recipes[i];
	return &generic;
}

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi)
		die("'%s': not a number from %d to %d: '%s'", name, lo, hi, v);
	return (int)n;
}

static int night_info(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*end || n < 0 || n > 3650)
		return usage_error("harness --night-info N (0 <= N)");
	int64_t day = night_day((int)n);
	char date[21], sweep[17], iso[21], isol[21];
	time_fmt_iso(day, date);
	date[10] = 0;
	time_fmt_compact(day + SWEEP_START_SECS, sweep);
	time_fmt_iso(day + SWEEP_START_SECS, iso);
	time_fmt_iso(day + ISOLATION_START_SECS, isol);
	printf("%s %s %s-%s %s %d\n", date, iso, sweep, DEMO_HOST, isol, isolation_night((int)n));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--recipes")) {
		for (size_t i = 0; i < NRECIPES; i++)
			printf("%s\n", recipes[i].name);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--nights")) {
		printf("%d\n", DEMO_NIGHTS);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--night-info"))
		return night_info(argv[2]);
	if (argc != 1)
		return usage_error("harness [--recipes | --nights | --night-info N]; "
				   "otherwise configured by CCR_* variables");

	const char *name = getenv("CCR_RECIPE");
	const char *run_dir = getenv("CCR_RUN_DIR");
	const char *junit_dir = getenv("CCR_JUNIT_DIR");
	const char *trigger = getenv("CCR_TRIGGER");
	const char *sweep = getenv("CCR_SWEEP");
	if (!name || !*name || !run_dir || !*run_dir || !junit_dir || !*junit_dir) {
		fprintf(stderr, "harness: CCR_RECIPE, CCR_RUN_DIR and CCR_JUNIT_DIR must be set\n");
		return 2;
	}
	if (!trigger || !*trigger)
		trigger = "manual";
	seed = (uint64_t)env_int("CCR_DEMO_SEED", 1, 0, 1 << 30);
	int night = env_int("CCR_DEMO_NIGHT", DEMO_NIGHTS - 1, 0, 3650);
	int isolated = !strcmp(trigger, "isolation");

	const struct recipe *r = find_recipe(name);
	struct plan p;
	plan_full(&p, r, name, night, isolated);

	char logs[4096];
	if ((size_t)snprintf(logs, sizeof(logs), "%s/logs", run_dir) >= sizeof(logs))
		return error("'%s': path too long", run_dir), 2;
	if (mkdir(logs, 0777) && errno != EEXIST)
		return error("'%s': %s", logs, strerror(errno)), 2;
	if (mkdir(junit_dir, 0777) && errno != EEXIST)
		return error("'%s': %s", junit_dir, strerror(errno)), 2;

	printf("run_recipe_ci.py RECIPE=%s TAG=%s MODE=cold TRIGGER=%s\n", name, p.tag, trigger);
	if (write_log(&p, logs, trigger))
		return 2;
	for (int t = 0; t < NTIERS; t++) {
		if (p.tiers[t].na || !p.tiers[t].ran)
			continue;
		if (write_junit(&p, junit_dir, t))
			return 2;
		int f = 0;
		for (int i = 0; i < p.tiers[t].n; i++)
			f += p.tiers[t].cases[i].status == 'f';
		printf("  %-8s %s%s" C_RESET " (%d tests)\n", tier_names[t], f ? C_RED : C_GREEN,
		       f ? "FAIL" : "pass", p.tiers[t].n);
	}
	if (write_run_json(&p, run_dir, trigger, sweep))
		return 2;
	if (p.crashed) {
		fflush(stdout);
		fprintf(stderr,
			"Traceback (most recent call last):\n"
			"  File \"/srv/cc-ci/runner/run_recipe_ci.py\", line 412, in <module>\n"
			"docker.errors.APIError: 500 Server Error for "
			"http+docker://localhost/v1.47/tasks: Internal Server Error\n");
	} else if (p.promote) {
		printf("  promote  %s%s" C_RESET "%s%s\n",
		       !strcmp(p.promote, "failed") ? C_RED : C_GREEN, p.promote,
		       p.promote_reason ? ": " : "", p.promote_reason ? p.promote_reason : "");
	}
	return p.exit_code;
}
