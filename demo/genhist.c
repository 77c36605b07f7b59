/*
 * genhist: writes a seeded, synthetic sweep history in the run-directory format
 * (DESIGN.md), for `make bench` and anyone who wants a big store to look at.
 *
 *   genhist --out DIR [--recipes N] [--nights N] [--tiers N] [--tests N]
 *           [--seed S] [--start YYYY-MM-DD] [--from I] [--to J]
 *           [--hosts N] [--jobs N]
 *
 * Writes one folder per run, DIR/<started as YYYYMMDDTHHMMSSZ>-<recipe>/, holding
 * run.json, junit/<tier>__cc-ci__test_<tier>.xml (pytest xunit2, as pytest writes
 * it: one line, local naive timestamps) and logs/harness.log (plus
 * logs/<recipe>_app.log for failing runs). Nights --from..--to-1 of the history
 * are written; every choice is a pure function of (seed, recipe, night, ...), so
 * writing nights 0..59 and then night 60 alone gives the same files as 0..60.
 *
 * The failure mix is what the operator's journal shows: version bumps every ten
 * nights or so; a few deterministic defects that appear at one version and go at
 * the next; planted flaky tests failing ~20% of runs with a message whose numbers
 * vary; load flakes failing only when several runs share the host; expected-NA
 * upgrade tiers; a rare harness time-out (no JUnit for the rest of the run); an
 * infrastructure incident night where most installs fail alike; isolation
 * re-runs after some failures; promotes (and a few failed promotes) on the first
 * green run of a new version. Runs of one night overlap: each host runs --jobs
 * at once.
 *
 * Prints one line on stdout: runs, files, bytes, junit files, junit bytes,
 * testcases written. Exit 0, or 2 on a usage or write error.
 */
#include "../lib/buf.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TIERS 5	   /* the harness's tiers; more would not be cc-ci */
#define MAX_TESTS 64	   /* per tier; enough for any bench size, keeps arrays fixed */
#define MAX_JOBS 16	   /* concurrent runs per host; real nodes run a handful */
#define LOG_MIN 2048	   /* smallest harness log: deploy + teardown lines */
#define LOG_MAX (400 << 10) /* largest: a few hundred KB, as a verbose failing deploy */

static const char *const tier_names[MAX_TIERS] = {"install", "upgrade", "backup", "restore",
						  "custom"};

static const char *const recipe_names[] = {
	"gitea",      "discourse",  "mattermost-lts", "mumble",	  "bluesky-pds", "keycloak",
	"immich",     "nextcloud",  "wordpress",      "ghost",	  "matrix-synapse", "peertube",
	"jitsi",      "hedgedoc",   "outline",	      "plausible", "n8n",	  "vaultwarden",
	"gotosocial", "lemmy",	    "mastodon",	      "forgejo",  "authentik",	  "paperless-ngx",
	"custom-html", "uptime-kuma", "miniflux",     "listmonk", "baserow",	  "wikijs",
};
#define NRECIPE_NAMES (sizeof(recipe_names) / sizeof(recipe_names[0]))

/* test names per tier; beyond the list, names get a numeric suffix */
static const char *const test_names[MAX_TIERS][12] = {
	{"test_app_responds", "test_login_page_renders", "test_admin_user_created",
	 "test_https_certificate_valid", "test_healthcheck_green", "test_smtp_configured",
	 "test_database_reachable", "test_static_assets_served", "test_websocket_upgrade",
	 "test_api_version_matches_tag", "test_cron_jobs_scheduled", "test_secrets_not_logged"},
	{"test_upgrade_from_previous_tag", "test_data_survives_upgrade",
	 "test_migrations_applied", "test_config_preserved", "test_users_can_login_after",
	 "test_no_downtime_over_60s", "test_version_endpoint_updated", "test_volumes_reattached",
	 "test_plugins_still_enabled", "test_search_index_rebuilt", "test_rollback_possible",
	 "test_upgrade_idempotent"},
	{"test_backup_completes", "test_backup_contains_database", "test_backup_contains_volumes",
	 "test_backup_is_encrypted", "test_backup_size_reasonable", "test_backup_labels_present",
	 "test_backup_during_writes", "test_backup_retention", "test_backup_restic_snapshot",
	 "test_backup_pre_hook_ran", "test_backup_post_hook_ran", "test_backup_excludes_cache"},
	{"test_restore_returns_state", "test_restore_database_rows", "test_restore_uploads",
	 "test_restore_users", "test_restore_permissions", "test_restore_config",
	 "test_restore_into_fresh_deploy", "test_restore_twice", "test_restore_search_index",
	 "test_restore_after_upgrade", "test_restore_keeps_secrets", "test_restore_cleans_tmp"},
	{"test_handshake_completes_with_channel_presence", "test_federation_reachable",
	 "test_email_delivery", "test_oauth_login", "test_file_upload_roundtrip",
	 "test_push_notifications", "test_webhook_fires", "test_rss_feed_valid",
	 "test_admin_panel_loads", "test_rate_limit_enforced", "test_s3_storage_works",
	 "test_ldap_sync"},
};

static struct {
	int recipes, nights, tiers, tests, hosts, jobs, from, to;
	uint64_t seed;
	int64_t start;
	const char *out;
} P = {20, 60, 5, 8, 0, 4, 0, -1, 1, 0, NULL};

static struct {
	uint64_t runs, files, bytes, junit_files, junit_bytes, testcases;
} S;

/* ---- deterministic randomness: every draw is keyed, never sequential state
 * shared between runs, so any night range gives the same bytes ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t key(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return mix(mix(mix(mix(P.seed ^ 0x5eedULL) ^ a) ^ b) ^ c) ^ d;
}

/* a small generator for draws within one run (state seeded by key()) */
struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

static double runif(struct rng *r)
{
	return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static int rint_(struct rng *r, int lo, int hi) /* lo..hi inclusive */
{
	return lo + (int)(rnext(r) % (uint64_t)(hi - lo + 1));
}

/* 2^x within a percent, without libm (the tools link no -lm) */
static double approx_exp2(double x)
{
	if (x > 20)
		x = 20;
	if (x < -20)
		x = -20;
	int i = (int)x;
	if (x < i)
		i--;
	double f = x - i;
	double m = 1 + f * (0.6931 + f * (0.2402 + f * 0.0555));
	return i >= 0 ? m * (double)(1 << i) : m / (double)(1 << -i);
}

static double keyed_unif(uint64_t k)
{
	return (double)(mix(k) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- the world: recipes, versions, planted failures ---- */

enum { K_RECIPE = 1, K_BUMP, K_DEFECT, K_RUN, K_INCIDENT, K_ISO, K_HREF };

struct recipe {
	char name[64];
	int upgrade_na;			/* upgrade tier expected-NA */
	int flaky_tier, flaky_test;	/* planted flaky test, -1 when none */
	int load_tier, load_test;	/* load-sensitive test, -1 when none */
	int skip_tier, skip_test;	/* always skipped, -1 when none */
	int host;
	int vidx;			/* version index at the night being written */
	int upstream[3];
};

static struct recipe *R;

static void recipe_setup(int i)
{
	struct recipe *r = &R[i];
	struct rng g = {key(K_RECIPE, (uint64_t)i, 0, 0)};
	if ((size_t)i < NRECIPE_NAMES)
		snprintf(r->name, sizeof(r->name), "%s", recipe_names[i]);
	else
		snprintf(r->name, sizeof(r->name), "%s-%d", recipe_names[i % NRECIPE_NAMES],
			 (int)((size_t)i / NRECIPE_NAMES) + 1);
	r->upgrade_na = P.tiers > 1 && runif(&g) < 0.15;
	r->flaky_tier = r->load_tier = r->skip_tier = -1;
	if (runif(&g) < 0.3) {
		r->flaky_tier = rint_(&g, 0, P.tiers - 1);
		r->flaky_test = rint_(&g, 0, P.tests - 1);
	}
	if (runif(&g) < 0.25) {
		r->load_tier = P.tiers > 4 ? 4 : rint_(&g, 0, P.tiers - 1);
		r->load_test = 0;
	}
	if (P.tiers > 2 && runif(&g) < 0.3) {
		r->skip_tier = 2;
		r->skip_test = P.tests - 1;
	}
	r->host = i % P.hosts;
	r->upstream[0] = rint_(&g, 1, 20);
	r->upstream[1] = rint_(&g, 0, 30);
	r->upstream[2] = rint_(&g, 0, 9);
}

static int bumps_on(int recipe, int night)
{
	return night > 0 && keyed_unif(key(K_BUMP, (uint64_t)recipe, (uint64_t)night, 0)) < 0.1;
}

static void version_str(const struct recipe *r, int v, char *out, size_t n)
{
	/* recipe semver moves with every bump; the upstream label moves every other */
	snprintf(out, n, "%d.%d.%d+%d.%d.%d", 1 + v / 12, (v / 3) % 4, v % 3, r->upstream[0],
		 r->upstream[1] + v / 2, r->upstream[2]);
}

/* a deterministic defect of this recipe at version v: which tier/test, or 0 */
static int defect_at(int recipe, int v, int *tier, int *test)
{
	struct rng g = {key(K_DEFECT, (uint64_t)recipe, (uint64_t)v, 0)};
	if (runif(&g) >= 0.12)
		return 0;
	*tier = rint_(&g, 0, P.tiers - 1);
	*test = rint_(&g, 0, P.tests - 1);
	return 1;
}

static int incident_night(int night)
{
	return night > 0 && keyed_unif(key(K_INCIDENT, (uint64_t)night, 0, 0)) < 0.025;
}

/* ---- output helpers ---- */

static void xml_esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '&': buf_adds(b, "&amp;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\n': buf_adds(b, "&#10;"); break;
		default: buf_addc(b, *s);
		}
	}
}

static void xml_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '&': buf_adds(b, "&amp;"); break;
		default: buf_addc(b, *s);
		}
	}
}

static void write_file(const char *path, const struct buf *b, int is_junit)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("'%s': %s", path, strerror(errno));
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("'%s': %s", path, strerror(errno));
		}
		off += (size_t)w;
	}
	if (close(fd) < 0)
		die("'%s': %s", path, strerror(errno));
	S.files++;
	S.bytes += b->len;
	if (is_junit) {
		S.junit_files++;
		S.junit_bytes += b->len;
	}
}

static void xmkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("'%s': %s", path, strerror(errno));
}

static void path_join(char *out, size_t n, const char *a, const char *b)
{
	int w = snprintf(out, n, "%s/%s", a, b);
	if (w < 0 || (size_t)w >= n)
		die("'%s/%s': path too long", a, b);
}

/* ---- one run ---- */

enum outcome { O_PASS, O_FAIL, O_ERROR, O_SKIP };

struct tc {
	enum outcome o;
	int ms;
	const char *kind; /* which failure text: "defect", "flaky", "load", "incident" */
};

struct run {
	int recipe, night, iso;
	int64_t started, finished;
	char version[64];
	const char *host;
	int overlap; /* runs sharing the host when this one started */
	int ntiers_written;
	int crashed_tier; /* -1 none */
	int exit_code;
	int failed;
	struct tc t[MAX_TIERS][MAX_TESTS];
	int64_t tier_start[MAX_TIERS];
	int tier_ms[MAX_TIERS];
};

static const char *tname(int tier, int test, char *tmp, size_t n)
{
	if (test < 12)
		return test_names[tier][test];
	snprintf(tmp, n, "%s_%d", test_names[tier][test % 12], test / 12);
	return tmp;
}

static void failure_text(struct buf *b, const struct run *ru, int tier, int test,
			 const char *kind, struct rng *g, int body)
{
	const struct recipe *r = &R[ru->recipe];
	char tmp[128];
	const char *tn = tname(tier, test, tmp, sizeof(tmp));
	if (!strcmp(kind, "defect")) {
		if (!body) {
			buf_adds(b, "psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist");
			return;
		}
		buf_addf(b,
			 "def %s(app):\n        conn = app.db()\n        cur = conn.cursor()\n"
			 ">       cur.execute(\"SELECT marker FROM ci_marker\")\n"
			 "E       psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist\n"
			 "E       LINE 1: SELECT marker FROM ci_marker\n"
			 "E                                  ^\n\n"
			 "tests/%s/%s/test_%s.py:%d: UndefinedTable",
			 tn, r->name, tier_names[tier], tier_names[tier], 20 + test * 7);
	} else if (!strcmp(kind, "flaky")) {
		int ip = rint_(g, 2, 250), port = 3000 + rint_(g, 0, 2) * 1000;
		if (!body) {
			buf_addf(b, "requests.exceptions.ConnectionError: dial tcp 10.10.0.%d:%d: "
				    "connect: connection refused", ip, port);
			return;
		}
		buf_addf(b,
			 "def %s(app):\n>       r = app.get(\"/api/v1/status\", timeout=30)\n\n"
			 "tests/%s/%s/test_%s.py:%d:\n"
			 "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _\n"
			 "lib/ci/http.py:88: in get\n    return self.session.get(self.url(path), "
			 "timeout=timeout)\n"
			 "/usr/lib/python3/dist-packages/requests/sessions.py:602: in get\n"
			 "    return self.request(\"GET\", url, **kwargs)\n"
			 "E   requests.exceptions.ConnectionError: dial tcp 10.10.0.%d:%d: connect: "
			 "connection refused\n\n/usr/lib/python3/dist-packages/requests/adapters.py:519: "
			 "ConnectionError",
			 tn, r->name, tier_names[tier], tier_names[tier], 30 + test * 5, ip, port);
	} else if (!strcmp(kind, "load")) {
		int secs = 60 * rint_(g, 1, 5);
		if (!body) {
			buf_addf(b, "AssertionError: handshake timeout after %ds (%d/3 peers present)",
				 secs, rint_(g, 0, 2));
			return;
		}
		buf_addf(b,
			 "def %s(app, client):\n        client.connect(app.host)\n"
			 ">       assert client.wait_presence(timeout=%d), \"handshake timeout after %ds\"\n"
			 "E       AssertionError: handshake timeout after %ds\n"
			 "E       assert False\n"
			 "E        +  where False = <bound method Client.wait_presence of "
			 "<ci.clients.Client object at 0x7f%010x>>(timeout=%d)\n\n"
			 "tests/%s/%s/test_%s.py:%d: AssertionError",
			 tn, secs, secs, secs, (unsigned)(rnext(g) & 0xffffffffffULL), secs, r->name,
			 tier_names[tier], tier_names[tier], 40 + test * 3);
	} else { /* incident */
		int dns = rint_(g, 1, 9);
		if (!body) {
			buf_addf(b, "docker.errors.APIError: 500 Server Error: Get "
				    "\"https://registry.ci.example/v2/\": dial tcp: lookup "
				    "registry.ci.example on 10.0.0.%d:53: i/o timeout", dns);
			return;
		}
		buf_addf(b,
			 "def %s(app):\n>       app.deploy(wait=True)\n\n"
			 "tests/%s/%s/test_%s.py:12:\n"
			 "lib/ci/deploy.py:141: in deploy\n    self.docker.images.pull(image)\n"
			 "E   docker.errors.APIError: 500 Server Error: Get "
			 "\"https://registry.ci.example/v2/\": dial tcp: lookup registry.ci.example on "
			 "10.0.0.%d:53: i/o timeout\n\n/usr/lib/python3/dist-packages/docker/errors.py:39: "
			 "APIError",
			 tn, r->name, tier_names[tier], tier_names[tier], dns);
	}
}

static void write_junit(const char *dir, struct run *ru, int tier, struct buf *b)
{
	const struct recipe *r = &R[ru->recipe];
	struct rng g = {key(K_RUN, (uint64_t)ru->recipe, (uint64_t)ru->night,
			    (uint64_t)(100 + tier + 10 * ru->iso))};
	int fails = 0, errs = 0, skips = 0;
	for (int k = 0; k < P.tests; k++) {
		fails += ru->t[tier][k].o == O_FAIL;
		errs += ru->t[tier][k].o == O_ERROR;
		skips += ru->t[tier][k].o == O_SKIP;
	}
	char ts[21];
	time_fmt_iso(ru->tier_start[tier], ts);
	ts[19] = '\0'; /* pytest writes naive local time: drop the Z */
	buf_reset(b);
	buf_addf(b,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites><testsuite name=\"pytest\" "
		 "errors=\"%d\" failures=\"%d\" skipped=\"%d\" tests=\"%d\" time=\"%d.%03d\" "
		 "timestamp=\"%s.%06d\" hostname=\"%s\">",
		 errs, fails, skips, P.tests, ru->tier_ms[tier] / 1000, ru->tier_ms[tier] % 1000, ts,
		 rint_(&g, 0, 999999), ru->host);
	char cls[160], tmp[128];
	snprintf(cls, sizeof(cls), "tests.%s.%s.test_%s", r->name, tier_names[tier],
		 tier_names[tier]);
	for (int k = 0; k < P.tests; k++) {
		const struct tc *c = &ru->t[tier][k];
		const char *tn = tname(tier, k, tmp, sizeof(tmp));
		buf_addf(b, "<testcase classname=\"%s\" name=\"%s\" time=\"%d.%03d\"", cls, tn,
			 c->ms / 1000, c->ms % 1000);
		S.testcases++;
		if (c->o == O_PASS) {
			buf_adds(b, " />");
			continue;
		}
		buf_adds(b, ">");
		if (c->o == O_SKIP) {
			buf_addf(b, "<skipped type=\"pytest.skip\" message=\"no volumes to back up\">"
				    "/srv/cc-ci/tests/%s/%s/test_%s.py:%d: no volumes to back up"
				    "</skipped>",
				 r->name, tier_names[tier], tier_names[tier], 10 + k);
		} else {
			struct buf m = BUF_INIT;
			struct rng g2 = g; /* the same varying parts in message and body */
			failure_text(&m, ru, tier, k, c->kind, &g2, 0);
			buf_adds(b, c->o == O_ERROR ? "<error message=\"failed on setup with &quot;"
						    : "<failure message=\"");
			xml_esc(b, m.data);
			if (c->o == O_ERROR)
				buf_adds(b, "&quot;");
			buf_adds(b, "\">");
			buf_reset(&m);
			failure_text(&m, ru, tier, k, c->kind, &g, 1);
			xml_text(b, m.data);
			buf_adds(b, c->o == O_ERROR ? "</error>" : "</failure>");
			buf_release(&m);
		}
		buf_adds(b, "</testcase>");
	}
	buf_adds(b, "</testsuite></testsuites>");
	char path[4096], name[128];
	snprintf(name, sizeof(name), "junit/%s__cc-ci__test_%s.xml", tier_names[tier],
		 tier_names[tier]);
	path_join(path, sizeof(path), dir, name);
	write_file(path, b, 1);
}

/* one filler line of a harness log: deploy chatter with varying ids and numbers */
static void log_filler(struct buf *b, struct rng *g, const char *recipe)
{
	unsigned id = (unsigned)rnext(g);
	int n = rint_(g, 1, 99);
	switch (rnext(g) % 8) {
	case 0: buf_addf(b, "docker service ps %s_app: 1/1 running (task %08x)", recipe, id); break;
	case 1: buf_addf(b, "GET https://%s.ci.example/ -> 200 in %d ms", recipe, n); break;
	case 2: buf_addf(b, "waiting for service %s_db to become healthy (%d/60)", recipe, n % 60); break;
	case 3:
		buf_addf(b, "pulling image git.coopcloud.tech/coop-cloud/%s: layer %08x: %d%% of 48.2MB",
			 recipe, id, n);
		break;
	case 4: buf_addf(b, "abra app deploy %s.ci.example --chaos --no-input: step %d", recipe, n); break;
	case 5:
		buf_addf(b, "container %s_app.1.%08x log: level=info msg=\"request served\" status=200 ms=%d",
			 recipe, id, n);
		break;
	case 6: buf_addf(b, "secret %s_db_password_v%d generated", recipe, n); break;
	default: buf_addf(b, "backupbot: snapshot %08x of %s volumes: %d files", id, recipe, n); break;
	}
	buf_addc(b, '\n');
}

static void log_line(struct buf *b, int64_t *t, struct rng *g, const char *tier)
{
	char ts[21];
	*t += (rnext(g) & 7) == 0; /* a few lines a second */
	time_fmt_iso(*t, ts);
	buf_addf(b, "%s [%s] ", ts, tier);
}

/* the exception a failure of this kind raises (failure_text), for log summaries */
static const char *exception_of(const char *kind)
{
	if (!strcmp(kind, "defect"))
		return "psycopg2.errors.UndefinedTable";
	if (!strcmp(kind, "flaky"))
		return "requests.exceptions.ConnectionError";
	if (!strcmp(kind, "load"))
		return "AssertionError";
	return "docker.errors.APIError";
}

static void write_logs(const char *dir, struct run *ru, struct buf *b)
{
	const struct recipe *r = &R[ru->recipe];
	struct rng g = {key(K_RUN, (uint64_t)ru->recipe, (uint64_t)ru->night,
			    (uint64_t)(200 + ru->iso))};
	/* log-normal size around 6 KB, bigger when the run failed */
	double z = -6;
	for (int k = 0; k < 12; k++) /* Irwin-Hall: close enough to a normal draw */
		z += runif(&g);
	double size = 6144 * approx_exp2(1.3 * z) * (ru->failed ? 3 : 1);
	size_t want = size < LOG_MIN ? LOG_MIN : size > LOG_MAX ? LOG_MAX : (size_t)size;
	int64_t t = ru->started;
	buf_reset(b);
	log_line(b, &t, &g, "harness");
	buf_addf(b, "run_recipe_ci.py RECIPE=%s VERSION=%s host=%s mode=cold trigger=%s\n",
		 r->name, ru->version, ru->host, ru->iso ? "isolation" : "sweep");
	int tiers = ru->ntiers_written;
	size_t per_tier = want / (size_t)(tiers ? tiers : 1);
	for (int ti = 0; ti < tiers || (tiers == 0 && ti == 0); ti++) {
		const char *tn = tiers ? tier_names[ti] : "harness";
		size_t stop = b->len + per_tier;
		if (tiers)
			t = ru->tier_start[ti];
		log_line(b, &t, &g, tn);
		buf_addf(b, "== tier %s: pytest tests/%s/%s ==\n", tn, r->name, tn);
		while (b->len < stop) {
			log_line(b, &t, &g, tn);
			log_filler(b, &g, r->name);
		}
		if (ru->crashed_tier == ti) {
			log_line(b, &t, &g, tn);
			buf_adds(b, "timeout after 1800s: killing pytest (no JUnit written)\n");
		} else if (tiers) {
			/* pytest's short test summary (-rfE): a line per failure or error */
			for (int k = 0; k < P.tests; k++) {
				const struct tc *c = &ru->t[ti][k];
				if (c->o != O_FAIL && c->o != O_ERROR)
					continue;
				char tmp[128];
				log_line(b, &t, &g, tn);
				buf_addf(b, "%s tests/%s/%s/test_%s.py::%s - %s\n",
					 c->o == O_FAIL ? "FAILED" : "ERROR", r->name, tn, tn,
					 tname(ti, k, tmp, sizeof(tmp)), exception_of(c->kind));
			}
		}
	}
	log_line(b, &t, &g, "harness");
	buf_addf(b, "exit %d\n", ru->exit_code);
	char path[4096];
	path_join(path, sizeof(path), dir, "logs/harness.log");
	write_file(path, b, 0);

	if (!ru->failed)
		return;
	/* the failing app's container log: longer lines, some stack traces */
	buf_reset(b);
	size_t want2 = want / 2 + LOG_MIN;
	t = ru->started + 30;
	while (b->len < want2) {
		char ts[21];
		t += rint_(&g, 0, 2);
		time_fmt_iso(t, ts);
		if (rnext(&g) % 20 == 0)
			buf_addf(b, "%s %s_app.1 ERROR pq: connection to 10.10.0.%d:5432 failed\n"
				    "\tat db.Open (db/conn.go:%d)\n\tat main.serve (main.go:%d)\n",
				 ts, r->name, rint_(&g, 2, 250), rint_(&g, 10, 400),
				 rint_(&g, 10, 400));
		else
			buf_addf(b, "%s %s_app.1 level=info msg=\"%s %s\" req_id=%016llx ms=%d\n",
				 ts, r->name, rnext(&g) & 1 ? "GET" : "POST", "/api/v1/items",
				 (unsigned long long)rnext(&g), rint_(&g, 1, 900));
	}
	char name[128];
	snprintf(name, sizeof(name), "logs/%s_app.log", r->name);
	path_join(path, sizeof(path), dir, name);
	write_file(path, b, 0);
}

static void json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void write_run(struct run *ru, struct buf *b)
{
	const struct recipe *r = &R[ru->recipe];
	char cstart[17], dir[4096], sub[4096], ts[21];
	time_fmt_compact(ru->started, cstart);
	int w = snprintf(dir, sizeof(dir), "%s/%s-%s", P.out, cstart, r->name);
	if (w < 0 || (size_t)w >= sizeof(dir))
		die("'%s': path too long", P.out);
	xmkdir(dir);
	path_join(sub, sizeof(sub), dir, "junit");
	xmkdir(sub);
	path_join(sub, sizeof(sub), dir, "logs");
	xmkdir(sub);
	S.runs++;

	for (int ti = 0; ti < ru->ntiers_written; ti++)
		if (!(ti == 1 && r->upgrade_na))
			write_junit(dir, ru, ti, b);
	write_logs(dir, ru, b);

	buf_reset(b);
	buf_adds(b, "{\"recipe\": ");
	json_str(b, r->name);
	buf_adds(b, ", \"version\": ");
	json_str(b, ru->version);
	uint64_t ref = key(K_RECIPE, (uint64_t)ru->recipe, (uint64_t)R[ru->recipe].vidx, 7);
	uint64_t href = key(K_HREF, (uint64_t)(ru->night / 30), 0, 0);
	buf_addf(b, ", \"ref\": \"%016llx%016llx%08x\", \"harness_ref\": \"%016llx\"",
		 (unsigned long long)ref, (unsigned long long)mix(ref), (unsigned)mix(ref + 1),
		 (unsigned long long)href);
	buf_adds(b, ", \"host\": ");
	json_str(b, ru->host);
	buf_addf(b, ", \"mode\": \"cold\", \"trigger\": \"%s\"", ru->iso ? "isolation" : "sweep");
	if (!ru->iso) {
		char day[17];
		time_fmt_compact(P.start + (int64_t)ru->night * 86400, day);
		day[8] = '\0';
		buf_addf(b, ", \"sweep\": \"nightly-%s\"", day);
	}
	time_fmt_iso(ru->started, ts);
	buf_addf(b, ", \"started\": \"%s\"", ts);
	time_fmt_iso(ru->finished, ts);
	buf_addf(b, ", \"finished\": \"%s\", \"exit_code\": %d", ts, ru->exit_code);
	int ntiers_listed = 0;
	for (int ti = 0; ti < P.tiers; ti++) {
		const char *st = NULL;
		if (ti == 1 && r->upgrade_na)
			st = "expected_na";
		else if (ti > ru->crashed_tier && ru->crashed_tier >= 0)
			st = "not_run";
		if (!st)
			continue;
		buf_adds(b, ntiers_listed++ ? ", " : ", \"tiers\": {");
		buf_addf(b, "\"%s\": \"%s\"", tier_names[ti], st);
	}
	if (ntiers_listed)
		buf_adds(b, "}");
	/* promote: on the first night of a new version, a green sweep run promotes */
	if (!ru->iso && !ru->failed && (ru->night == 0 || bumps_on(ru->recipe, ru->night))) {
		struct rng g = {key(K_RUN, (uint64_t)ru->recipe, (uint64_t)ru->night, 300)};
		time_fmt_iso(ru->finished + 20, ts);
		if (runif(&g) < 0.06)
			buf_addf(b, ", \"promote\": {\"outcome\": \"failed\", \"version\": \"%s\", "
				    "\"at\": \"%s\", \"reason\": \"health check after promote: "
				    "status 0\"}", ru->version, ts);
		else
			buf_addf(b, ", \"promote\": {\"outcome\": \"%s\", \"version\": \"%s\", "
				    "\"at\": \"%s\"}", ru->night ? "advanced" : "promoted",
				 ru->version, ts);
	}
	buf_adds(b, "}\n");
	path_join(sub, sizeof(sub), dir, "run.json");
	write_file(sub, b, 0);
}

/* decide every outcome of one run; the schedule (start, overlap) is set by the caller */
static void plan_run(struct run *ru)
{
	struct recipe *r = &R[ru->recipe];
	struct rng g = {key(K_RUN, (uint64_t)ru->recipe, (uint64_t)ru->night, (uint64_t)ru->iso)};
	version_str(r, r->vidx, ru->version, sizeof(ru->version));
	int dtier = -1, dtest = -1;
	defect_at(ru->recipe, r->vidx, &dtier, &dtest);
	int incident = !ru->iso && incident_night(ru->night) && runif(&g) < 0.7;
	ru->crashed_tier = (!incident && runif(&g) < 0.006) ? rint_(&g, 0, P.tiers - 1) : -1;
	ru->ntiers_written = ru->crashed_tier >= 0 ? ru->crashed_tier : P.tiers;
	ru->failed = ru->crashed_tier >= 0;
	int64_t t = ru->started + rint_(&g, 20, 120); /* deploy before the first tier */
	for (int ti = 0; ti < P.tiers; ti++) {
		ru->tier_start[ti] = t;
		int sum = 0;
		for (int k = 0; k < P.tests; k++) {
			struct tc *c = &ru->t[ti][k];
			c->o = O_PASS;
			c->kind = NULL;
			c->ms = rint_(&g, 50, 4000) + (ru->overlap * rint_(&g, 0, 800));
			double u = runif(&g);
			if (incident && ti == 0 && k == 0) {
				c->o = O_FAIL, c->kind = "incident";
			} else if (ti == dtier && k == dtest) {
				c->o = O_FAIL, c->kind = "defect";
			} else if (ti == r->flaky_tier && k == r->flaky_test && u < 0.2) {
				c->o = O_FAIL, c->kind = "flaky";
			} else if (ti == r->load_tier && k == r->load_test && ru->overlap >= 2 &&
				   u < 0.12 * ru->overlap) {
				c->o = u < 0.03 ? O_ERROR : O_FAIL, c->kind = "load";
				c->ms += 60000;
			} else if (ti == r->skip_tier && k == r->skip_test) {
				c->o = O_SKIP;
				c->ms = 0;
			}
			if (ti < ru->ntiers_written && !(ti == 1 && r->upgrade_na) &&
			    (c->o == O_FAIL || c->o == O_ERROR))
				ru->failed = 1;
			sum += c->ms;
		}
		ru->tier_ms[ti] = sum + rint_(&g, 100, 900);
		t += ru->tier_ms[ti] / 1000 + rint_(&g, 30, 240); /* the next tier's deploy */
	}
	ru->finished = t + rint_(&g, 10, 60) + (ru->crashed_tier >= 0 ? 1800 : 0);
	ru->exit_code = ru->crashed_tier >= 0 ? 124 : ru->failed ? 1 : 0;
}

static const char *host_name(int h)
{
	static char names[64][32]; /* hosts past 64 share names: fine for a bench */
	snprintf(names[h % 64], sizeof(names[0]), "ci-node-%d", h % 64 + 1);
	return names[h % 64];
}

static void write_night(int night)
{
	static struct run ru; /* big: keep it off the stack */
	struct buf b = BUF_INIT;
	int64_t t0 = P.start + (int64_t)night * 86400 + 2 * 3600; /* the 02:00 UTC timer */
	int64_t *slots = xcalloc((size_t)P.hosts * (size_t)P.jobs, sizeof(int64_t));
	int64_t *host_end = xcalloc((size_t)P.hosts, sizeof(int64_t));
	int *iso = xcalloc((size_t)P.recipes, sizeof(int));
	for (int h = 0; h < P.hosts; h++)
		for (int j = 0; j < P.jobs; j++)
			slots[h * P.jobs + j] = t0 + (int64_t)(mix((uint64_t)night) % 120);
	for (int i = 0; i < P.recipes; i++) {
		struct recipe *r = &R[i];
		int64_t *sl = slots + r->host * P.jobs;
		int best = 0;
		for (int j = 1; j < P.jobs; j++)
			if (sl[j] < sl[best])
				best = j;
		memset(&ru, 0, sizeof(ru));
		ru.recipe = i;
		ru.night = night;
		ru.host = NULL;
		ru.started = sl[best] + 3;
		int busy = 0;
		for (int j = 0; j < P.jobs; j++)
			busy += j != best && sl[j] > ru.started;
		ru.overlap = busy;
		ru.host = host_name(r->host);
		plan_run(&ru);
		sl[best] = ru.finished;
		if (ru.finished > host_end[r->host])
			host_end[r->host] = ru.finished;
		write_run(&ru, &b);
		/* some failing sweep runs get an isolation re-run once the sweep is done */
		iso[i] = ru.failed &&
			 keyed_unif(key(K_ISO, (uint64_t)i, (uint64_t)night, 0)) < 0.4;
	}
	for (int i = 0; i < P.recipes; i++) {
		if (!iso[i])
			continue;
		struct recipe *r = &R[i];
		memset(&ru, 0, sizeof(ru));
		ru.recipe = i;
		ru.night = night;
		ru.iso = 1;
		ru.host = host_name(r->host);
		ru.started = host_end[r->host] + 60;
		ru.overlap = 0; /* isolation = alone on an idle node */
		plan_run(&ru);
		host_end[r->host] = ru.finished;
		write_run(&ru, &b);
	}
	free(slots);
	free(host_end);
	free(iso);
	buf_release(&b);
}

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static const char usage[] =
	"usage: genhist --out DIR [--recipes N] [--nights N] [--tiers N] [--tests N] [--seed S]\n"
	"               [--start YYYY-MM-DD] [--from I] [--to J] [--hosts N] [--jobs N]\n";

int main(int argc, char **argv)
{
	const char *start = "2026-01-01";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long v;
		if (i + 1 >= argc) {
			fputs(usage, stderr);
			return 2;
		}
		const char *val = argv[++i];
		if (!strcmp(a, "--out")) {
			P.out = val;
			continue;
		}
		if (!strcmp(a, "--start")) {
			start = val;
			continue;
		}
		if (num(val, 0, 100000000, &v) < 0) {
			fprintf(stderr, "genhist: '%s': not a number in range for %s\n", val, a);
			return 2;
		}
		if (!strcmp(a, "--recipes") && v > 0)
			P.recipes = (int)v;
		else if (!strcmp(a, "--nights") && v > 0)
			P.nights = (int)v;
		else if (!strcmp(a, "--tiers") && v > 0 && v <= MAX_TIERS)
			P.tiers = (int)v;
		else if (!strcmp(a, "--tests") && v > 0 && v <= MAX_TESTS)
			P.tests = (int)v;
		else if (!strcmp(a, "--seed"))
			P.seed = (uint64_t)v;
		else if (!strcmp(a, "--from"))
			P.from = (int)v;
		else if (!strcmp(a, "--to"))
			P.to = (int)v;
		else if (!strcmp(a, "--hosts") && v > 0)
			P.hosts = (int)v;
		else if (!strcmp(a, "--jobs") && v > 0 && v <= MAX_JOBS)
			P.jobs = (int)v;
		else {
			fprintf(stderr, "genhist: '%s %s': unknown option or out of range\n%s", a,
				val, usage);
			return 2;
		}
	}
	if (!P.out || time_parse(start, &P.start) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (P.to < 0)
		P.to = P.nights;
	if (!P.hosts)
		P.hosts = (P.recipes + 9) / 10; /* ~10 recipes per node, 4 at once */
	xmkdir(P.out);
	R = xcalloc((size_t)P.recipes, sizeof(*R));
	for (int i = 0; i < P.recipes; i++)
		recipe_setup(i);
	for (int n = 0; n < P.to; n++) {
		for (int i = 0; i < P.recipes; i++)
			R[i].vidx += bumps_on(i, n);
		if (n >= P.from)
			write_night(n);
	}
	free(R);
	printf("runs %llu files %llu bytes %llu junit_files %llu junit_bytes %llu testcases %llu\n",
	       (unsigned long long)S.runs, (unsigned long long)S.files,
	       (unsigned long long)S.bytes, (unsigned long long)S.junit_files,
	       (unsigned long long)S.junit_bytes, (unsigned long long)S.testcases);
	return 0;
}
