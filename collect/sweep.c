/*
 * `ccr collect sweep`: run the harness once per recipe and archive each run.
 *
 * Each harness runs as /bin/sh -c CMD in its own process group (so a time limit
 * or a stop reaches every process it started), stdin from /dev/null, stdout and
 * stderr appended to RUN/logs/harness.log. The parent waits in poll() on a
 * self-pipe that the SIGCHLD/SIGINT/SIGTERM handlers write to, so no signal is
 * lost between checking and sleeping. Finished runs are ingested right away, in
 * this process, one at a time.
 */
#include "sweep.h"

#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/slug.h"
#include "../lib/timeutil.h"
#include "collect.h"
#include "derive.h"
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_DEFAULT_JOBS 4	   /* several deploys at once, as the nightly sweep runs them */
#define SWEEP_MAX_RERUNS 1000 /* isolation re-runs run one at a time: more would take days */
#define SWEEP_MAX_JOBS 64	   /* more parallel deploys than this would swamp any node */
#define SWEEP_DEFAULT_TIMEOUT 3600 /* a real harness run takes 10-50 minutes */
#define SWEEP_KILL_GRACE_SECS 10   /* after SIGTERM, time to tear down before SIGKILL */
#define SWEEP_MAX_RECIPES 10000	   /* a longer list is a mistake (a wrong @FILE) */
#define SWEEP_RECIPES_FILE_MAX (4 << 20) /* @FILE: one name a line; 4 MiB is far beyond that */
#define SWEEP_DIR_TRIES 100		 /* RUN folder name suffixes -2, -3 ... when one exists */
#define SWEEP_REAP_WAIT_MS 2000 /* after SIGKILL: how long to wait for a group to be gone */
#define EXIT_TIMEOUT 124	/* exit_code of a run killed at its time limit, as timeout(1) */

static const char sweep_usage[] =
    "collect sweep --harness CMD --recipes LIST|@FILE [--jobs N] [--timeout SECS]\n"
    "       [--trigger sweep|isolation|testme|manual] [--runs DIR] [--sweep ID]\n"
    "       [--rerun-isolated N]";

/* ---- clock ---- */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t sweep_clock(void)
{
	static int64_t base;
	static double m0;
	static int ready;
	if (!ready) {
		base = time_now();
		m0 = mono();
		ready = 1;
	}
	return base + (int64_t)(mono() - m0);
}

/* ---- signals: every one becomes a byte in a pipe that poll() watches ---- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_stop;	/* first SIGINT/SIGTERM */
static volatile sig_atomic_t sig_again; /* a second one: kill at once */

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGINT || sig == SIGTERM) {
		if (sig_stop)
			sig_again = 1;
		else
			sig_stop = sig;
	}
	if (sig_pipe[1] >= 0) {
		ssize_t w = write(sig_pipe[1], "x", 1);
		(void)w; /* a full pipe already holds a wake-up */
	}
	errno = saved;
}

static struct sigaction old_int, old_term, old_chld;

static int signals_install(void)
{
	if (sig_pipe[0] < 0) {
		if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
			return error("pipe: %s", strerror(errno));
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGCHLD, &sa, &old_chld);
	return 0;
}

static void signals_restore(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
}

static void drain_pipe(void)
{
	char b[64];
	while (read(sig_pipe[0], b, sizeof(b)) > 0)
		;
}

/* ---- one harness run ---- */

enum { WHY_RUNNING, WHY_TIMEOUT, WHY_STOP };

struct job {
	const char *recipe;
	char *dir;	 /* run folder, absolute */
	pid_t pid;	 /* also the process group id; 0 = free slot */
	int64_t started; /* sweep clock */
	double t0;	 /* monotonic start */
	double kill_at;	 /* monotonic time of the SIGKILL after a SIGTERM; 0 = none */
	int why;
	int killed; /* SIGKILL sent to the group */
	int reaped; /* the leader has ended (ws, finished, secs are set); a signalled
		       group may live on until its grace ends */
	int ws;	    /* the leader's wait status */
	int64_t finished;
	double secs;
	int has_load;
	double load_start;
};

static int read_load(double *out)
{
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f)
		return -1;
	int ok = fscanf(f, "%lf", out) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* appends one line of ccr's own to the run's harness.log */
static void log_note(const struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_note(const struct job *j, const char *fmt, ...)
{
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/logs/harness.log", j->dir);
	int fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	buf_release(&path);
	if (fd < 0)
		return;
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_adds(&b, "ccr: ");
	buf_vaddf(&b, fmt, ap);
	buf_addc(&b, '\n');
	va_end(ap);
	ssize_t w = write(fd, b.data, b.len);
	(void)w; /* a note that cannot be written changes nothing else */
	close(fd);
	buf_release(&b);
}

/* makes RUNS/<compact start>-<recipe slug>[-N]/ with junit/ and logs/ */
static char *make_run_dir(const char *runs, const char *recipe, int64_t started)
{
	char stamp[17], slug[SLUG_SIZE];
	time_fmt_compact(started, stamp);
	slug_name(recipe, strlen(recipe), slug);
	struct buf b = BUF_INIT;
	for (int i = 1; i <= SWEEP_DIR_TRIES; i++) {
		buf_reset(&b);
		buf_addf(&b, "%s/%s-%s", runs, stamp, slug);
		if (i > 1)
			buf_addf(&b, "-%d", i);
		if (mkdir(buf_str(&b), 0777) == 0) {
			size_t n = b.len;
			buf_adds(&b, "/junit");
			int rc = mkdir(buf_str(&b), 0777);
			b.len = n;
			buf_adds(&b, "/logs");
			rc |= mkdir(buf_str(&b), 0777);
			b.len = n;
			b.data[n] = '\0';
			if (rc) {
				error("'%s': cannot make junit/ and logs/: %s", buf_str(&b),
				      strerror(errno));
				buf_release(&b);
				return NULL;
			}
			return buf_detach(&b, NULL);
		}
		if (errno != EEXIST) {
			error("'%s': %s", buf_str(&b), strerror(errno));
			buf_release(&b);
			return NULL;
		}
	}
	error("'%s/%s-%s': %d folders of that name exist already", runs, stamp, slug,
	      SWEEP_DIR_TRIES);
	buf_release(&b);
	return NULL;
}

static void set_env(const char *name, const char *dir, const char *sub)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, dir);
	if (sub)
		buf_adds(&b, sub);
	setenv(name, buf_str(&b), 1);
	buf_release(&b);
}

/* forks the harness for j; 0, or -1 (printed) when it could not be started */
static int job_start(struct job *j, const struct sweep_cfg *c, const char *recipe)
{
	memset(j, 0, sizeof(*j));
	j->recipe = recipe;
	j->started = sweep_clock();
	j->t0 = mono();
	j->dir = make_run_dir(c->runs_dir, recipe, j->started);
	if (!j->dir)
		return -1;
	j->has_load = read_load(&j->load_start) == 0;
	struct buf log = BUF_INIT;
	buf_addf(&log, "%s/logs/harness.log", j->dir);
	int fd = open(buf_str(&log), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0) {
		error("'%s': %s", buf_str(&log), strerror(errno));
		buf_release(&log);
		return -1;
	}
	buf_release(&log);
	char iso[21];
	time_fmt_iso(j->started, iso);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return error("'%s': cannot fork: %s", recipe, strerror(errno));
	}
	if (pid == 0) {
		/* the child: own process group, default signals, the log as stdout/stderr */
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int in = open("/dev/null", O_RDONLY);
		if (in >= 0 && in != 0) {
			dup2(in, 0);
			close(in);
		}
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		setenv("CCR_RECIPE", recipe, 1);
		set_env("CCR_RUN_DIR", j->dir, NULL);
		set_env("CCR_JUNIT_DIR", j->dir, "/junit");
		set_env("CCR_LOG_DIR", j->dir, "/logs");
		setenv("CCR_TRIGGER", c->trigger, 1);
		setenv("CCR_STARTED", iso, 1);
		if (c->sweep_id)
			setenv("CCR_SWEEP", c->sweep_id, 1);
		else
			unsetenv("CCR_SWEEP");
		/* a simulated clock goes on in the harness from this run's start */
		if (getenv("CCR_NOW"))
			setenv("CCR_NOW", iso, 1);
		execl("/bin/sh", "sh", "-c", c->harness, (char *)NULL);
		_exit(127);
	}
	/* both sides set the group, so it exists before either relies on it */
	setpgid(pid, pid);
	close(fd);
	j->pid = pid;
	return 0;
}

/* SIGTERM to the job's whole process group; SIGKILL follows after the grace */
static void job_terminate(struct job *j, int why, double now)
{
	if (j->why != WHY_RUNNING)
		return;
	j->why = why;
	j->kill_at = now + SWEEP_KILL_GRACE_SECS;
	kill(-j->pid, SIGTERM);
}

/* After SIGKILL to a group whose leader is reaped: reap what of it was orphaned
 * to us (ccr is a child subreaper) until the group is gone, so no killed harness
 * process outlives the sweep, not even as a zombie. Bounded: a process stuck in
 * the kernel must not hang the sweep. */
static void reap_group(pid_t pgid)
{
	for (int waited = 0; waited < SWEEP_REAP_WAIT_MS; waited += 10) {
		while (waitpid(-pgid, NULL, WNOHANG) > 0)
			;
		if (kill(-pgid, 0) && errno == ESRCH)
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* 1 when the run folder holds nothing but ccr's own folders and harness.log */
static int left_nothing(const char *dir)
{
	struct buf b = BUF_INIT;
	int empty = 1;
	const char *subs[] = {"", "/junit"};
	for (int i = 0; i < 2 && empty; i++) {
		buf_reset(&b);
		buf_addf(&b, "%s%s", dir, subs[i]);
		DIR *d = opendir(buf_str(&b));
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			const char *n = e->d_name;
			if (!strcmp(n, ".") || !strcmp(n, ".."))
				continue;
			if (i == 0 && (!strcmp(n, "junit") || !strcmp(n, "logs")))
				continue;
			empty = 0;
		}
		closedir(d);
	}
	buf_release(&b);
	return empty;
}

/* the last line of the run's harness.log, for an error message */
static void last_log_line(const struct job *j, struct buf *out)
{
	struct buf path = BUF_INIT, log = BUF_INIT;
	buf_addf(&path, "%s/logs/harness.log", j->dir);
	log.max = 64 * 1024; /* "sh: 1: x: not found" is short; a big log is not this case */
	int fd = open(buf_str(&path), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char tmp[4096];
		ssize_t r;
		while ((r = read(fd, tmp, sizeof(tmp))) > 0 && buf_add(&log, tmp, (size_t)r) == 0)
			;
		close(fd);
	}
	size_t end = log.len;
	while (end > 0 && (log.data[end - 1] == '\n' || log.data[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start > 0 && log.data[start - 1] != '\n')
		start--;
	buf_add(out, log.data ? log.data + start : "", end - start);
	buf_release(&path);
	buf_release(&log);
}

static const char SQL_RUN_JSON[] =
    "SELECT json_object('recipe', :recipe, 'host', :host, 'trigger', :trigger, 'sweep', :sweep,"
    " 'started', :started, 'finished', :finished, 'exit_code', :exit_code)";

/* When the harness left no run.json (it crashed, was killed, or never writes
 * one), write what the sweep knows, so the folder is a run on its own: ingest
 * reads it now, and `ccr collect ingest` of the same folder later gives the same
 * run. A run.json the harness wrote is never touched. -1 on error (printed). */
static int ensure_run_json(struct store *st, const struct job *j, const struct sweep_cfg *c,
			   int64_t finished, int exit_code)
{
	struct buf path = BUF_INIT, tmp = BUF_INIT;
	int rc = 0;
	buf_addf(&path, "%s/run.json", j->dir);
	if (access(buf_str(&path), F_OK) == 0 || errno != ENOENT)
		goto out;
	char started[21], ended[21];
	time_fmt_iso(j->started, started);
	time_fmt_iso(finished, ended);
	sqlite3_stmt *s = store_stmt(st, SQL_RUN_JSON);
	bind_text(s, ":recipe", j->recipe);
	bind_text(s, ":host", c->host);
	bind_text(s, ":trigger", c->trigger);
	bind_text(s, ":sweep", c->sweep_id);
	bind_text(s, ":started", started);
	bind_text(s, ":finished", ended);
	bind_int(s, ":exit_code", exit_code);
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = store_error(st, "writing run.json");
		goto out;
	}
	buf_addf(&tmp, "%s/.run.json.tmp", j->dir);
	FILE *f = fopen(buf_str(&tmp), "w");
	if (!f) {
		rc = error("'%s': %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	fputs(col_text(s, 0), f);
	fputc('\n', f);
	if (ferror(f) | fclose(f) || rename(buf_str(&tmp), buf_str(&path))) {
		rc = error("'%s': cannot write: %s", buf_str(&path), strerror(errno));
		unlink(buf_str(&tmp));
	}
out:
	buf_release(&path);
	buf_release(&tmp);
	return rc;
}

struct sweep_state {
	struct store *st;
	const struct sweep_cfg *cfg;
	struct sweep_tally *t;
	int stopping;
};

/* the harness of j ended (j->ws) and its group is gone: note it, ingest the folder */
static void job_finish(struct sweep_state *s, struct job *j)
{
	const struct sweep_cfg *c = s->cfg;
	struct sweep_tally *t = s->t;
	int ws = j->ws;
	int64_t finished = j->finished;
	double secs = j->secs;
	int exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	double load_end = 0;
	int has_load = j->has_load && read_load(&load_end) == 0;
	j->pid = 0;

	if (j->why == WHY_STOP) {
		if (sig_stop)
			log_note(j, "stopped: ccr got signal %d; run not archived", (int)sig_stop);
		else
			log_note(j,
				 "stopped: the sweep stopped on a store error; run not archived");
		t->stopped++;
		goto out;
	}
	t->done++;
	if (j->why == WHY_TIMEOUT) {
		exit_code = EXIT_TIMEOUT;
		log_note(j, "killed after %.0f s: over the time limit (--timeout %d); exit_code %d",
			 secs, c->timeout, EXIT_TIMEOUT);
		warning("'%s': harness killed after %d s (time limit); run kept with exit code %d",
			j->recipe, c->timeout, EXIT_TIMEOUT);
		t->timed_out++;
	}
	if (exit_code != 0)
		t->failed++;
	if ((exit_code == 126 || exit_code == 127) && left_nothing(j->dir)) {
		struct buf line = BUF_INIT;
		last_log_line(j, &line);
		error("'%s': harness could not be run (exit %d): %s", c->harness, exit_code,
		      line.len ? buf_str(&line) : "no output");
		buf_release(&line);
		t->cannot_run++;
		goto out;
	}
	if (s->stopping || t->store_failed)
		goto out; /* a store error: nothing more is written */
	if (ensure_run_json(s->st, j, c, finished, exit_code))
		t->rejected++; /* ingest still takes the folder, from what it holds */

	struct ingest_opts o;
	ingest_opts_init(&o);
	o.recipe = j->recipe;
	o.trigger = c->trigger;
	o.host = c->host;
	o.sweep = c->sweep_id;
	o.source = j->dir;
	o.started = j->started;
	o.finished = finished;
	o.exit_code = exit_code;
	o.has_load = has_load;
	o.load_start = j->load_start;
	o.load_end = load_end;
	struct ingest_report rep;
	memset(&rep, 0, sizeof(rep));
	if (ingest_dir(s->st, j->dir, &o, &rep) < 0) {
		t->store_failed = 1;
		goto out;
	}
	switch (rep.outcome) {
	case INGEST_STORED:
		t->stored++;
		break;
	case INGEST_UNCHANGED:
		t->unchanged++;
		break;
	case INGEST_CONFLICT:
	case INGEST_FAILED:
		t->rejected++;
		break;
	}
	if (rep.outcome != INGEST_FAILED && rep.outcome != INGEST_CONFLICT && rep.rejected)
		t->rejected++;
	info("'%s': exit %d after %.0f s; %s %s", j->recipe, exit_code, secs,
	     rep.outcome == INGEST_STORED      ? "stored"
	     : rep.outcome == INGEST_UNCHANGED ? "unchanged"
					       : "not stored",
	     rep.run_id);
out:
	free(j->dir);
	j->dir = NULL;
}

static void show_progress(const struct sweep_state *s, const struct job *jobs, double t0)
{
	if (!progress_enabled())
		return;
	struct buf b = BUF_INIT;
	b.max = 200; /* one terminal line */
	int el = (int)(mono() - t0);
	buf_addf(&b, "%s: %d/%d done, %d failed, %d:%02d", s->cfg->trigger, s->t->done, s->t->total,
		 s->t->failed, el / 60, el % 60);
	const char *sep = "; running: ";
	for (int i = 0; i < s->cfg->jobs; i++) {
		if (!jobs[i].pid)
			continue;
		buf_addf(&b, "%s%s", sep, jobs[i].recipe);
		sep = " ";
	}
	progress("%s", buf_str(&b));
	buf_release(&b);
}

int sweep_run(struct store *st, const struct sweep_cfg *cfg, char *const *recipes, size_t n,
	      struct sweep_tally *t)
{
	struct sweep_state s = {st, cfg, t, 0};
	struct job *jobs = xcalloc((size_t)cfg->jobs, sizeof(*jobs));
	size_t next = 0;
	int running = 0;
	double t0 = mono();
	t->total += (int)n;
	if (signals_install())
		return free(jobs), -1;
	/* orphans of a harness are re-parented to ccr, so a killed group can be reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sig_stop)
		s.stopping = 1; /* stopped before this pass began */

	for (;;) {
		/* a harness that cannot run fails alike for every recipe: start no more */
		while (!s.stopping && !t->cannot_run && running < cfg->jobs && next < n) {
			int slot = 0;
			while (jobs[slot].pid)
				slot++;
			if (job_start(&jobs[slot], cfg, recipes[next]) == 0) {
				running++;
			} else {
				t->cannot_run++; /* no folder, log or process: the next would fail
						    alike */
				free(jobs[slot].dir);
				memset(&jobs[slot], 0, sizeof(jobs[slot]));
			}
			next++;
		}
		if (!running)
			break;
		show_progress(&s, jobs, t0);

		/* sleep until a signal, the next deadline, or the next progress tick */
		double now = mono(), wake = progress_enabled() ? now + 1 : -1;
		for (int i = 0; i < cfg->jobs; i++) {
			struct job *j = &jobs[i];
			double d = -1;
			if (!j->pid || j->killed)
				continue; /* a killed group: only its exit wakes us */
			if (j->reaped)	  /* a signalled group after its leader: look again soon */
				d = j->kill_at < now + 0.1 ? j->kill_at : now + 0.1;
			else if (j->kill_at)
				d = j->kill_at;
			else if (j->why == WHY_RUNNING && cfg->timeout)
				d = j->t0 + cfg->timeout;
			if (d >= 0 && (wake < 0 || d < wake))
				wake = d;
		}
		int ms = wake < 0 ? -1 : wake <= now ? 0 : (int)((wake - now) * 1000) + 1;
		struct pollfd pfd = {sig_pipe[0], POLLIN, 0};
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
			error("poll: %s", strerror(errno));
			break;
		}
		drain_pipe();

		now = mono();
		if ((sig_stop || t->store_failed) && !s.stopping) {
			s.stopping = 1;
			for (int i = 0; i < cfg->jobs; i++)
				if (jobs[i].pid)
					job_terminate(&jobs[i], WHY_STOP, now);
		}
		int status;
		pid_t pid;
		/* leaders, and the orphans of killed groups (ccr is their subreaper) */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < cfg->jobs; i++) {
				struct job *j = &jobs[i];
				if (j->pid != pid || j->reaped)
					continue;
				j->reaped = 1;
				j->ws = status;
				j->finished = sweep_clock();
				j->secs = mono() - j->t0;
				if (j->why == WHY_RUNNING) {
					job_finish(&s, j);
					running--;
				}
				break;
			}
		}
		now = mono();
		for (int i = 0; i < cfg->jobs; i++) {
			struct job *j = &jobs[i];
			if (!j->pid)
				continue;
			if (j->why == WHY_RUNNING && cfg->timeout && now >= j->t0 + cfg->timeout)
				job_terminate(j, WHY_TIMEOUT, now);
			int grace_over = j->kill_at && (now >= j->kill_at || sig_again);
			if (!j->reaped) {
				if (grace_over && !j->killed) {
					kill(-j->pid, SIGKILL);
					j->killed = 1;
				}
				continue;
			}
			/* a signalled harness whose leader ended: the rest of its group
			 * (a python harness tearing down its deploys) keeps its grace */
			while (waitpid(-j->pid, NULL, WNOHANG) > 0)
				;
			int gone = kill(-j->pid, 0) && errno == ESRCH;
			if (!gone && grace_over) {
				kill(-j->pid, SIGKILL);
				reap_group(j->pid);
				gone = 1;
			}
			if (gone) {
				job_finish(&s, j);
				running--;
			}
		}
		if (t->store_failed && !s.stopping) {
			s.stopping = 1;
			for (int i = 0; i < cfg->jobs; i++)
				if (jobs[i].pid)
					job_terminate(&jobs[i], WHY_STOP, mono());
		}
	}
	progress_done();
	signals_restore();
	if (s.stopping || t->cannot_run) {
		t->not_started += (int)(n - next);
		if (sig_stop)
			t->stop_signal = sig_stop;
	}
	free(jobs);
	return s.stopping ? -1 : 0;
}

/* ---- the command ---- */

static int valid_recipe(const char *r, size_t len)
{
	if (len == 0 || len > SWEEP_RECIPE_MAX)
		return 0;
	if ((len == 1 && r[0] == '.') || (len == 2 && r[0] == '.' && r[1] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (r[i] == '/' || (unsigned char)r[i] < 0x20 || r[i] == 0x7f)
			return 0;
	return 1;
}

static int add_recipe(char ***list, size_t *n, const char *p, size_t len, const char *where)
{
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	if (!len)
		return 0;
	if (!valid_recipe(p, len))
		return error("'%.*s': not a recipe name (%s): 1 to %d bytes, no '/' or control "
			     "characters",
			     (int)(len > 80 ? 80 : len), p, where, SWEEP_RECIPE_MAX);
	if (*n >= SWEEP_MAX_RECIPES)
		return error("'%s': more than %d recipes", where, SWEEP_MAX_RECIPES);
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrndup(p, len);
	return 0;
}

/* LIST (comma-separated) or @FILE (one a line, # comments, blank lines ignored) */
static int parse_recipes(const char *arg, char ***list, size_t *n)
{
	if (arg[0] != '@') {
		const char *p = arg;
		for (;;) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (add_recipe(list, n, p, len, "--recipes"))
				return -1;
			if (!e)
				break;
			p = e + 1;
		}
		return 0;
	}
	struct buf b = BUF_INIT;
	b.max = SWEEP_RECIPES_FILE_MAX;
	if (buf_read_file(&b, arg + 1)) {
		buf_release(&b);
		return -1;
	}
	if (memchr(b.data ? b.data : "", '\0', b.len)) {
		buf_release(&b);
		return error("'%s': not a text file", arg + 1);
	}
	int rc = 0;
	const char *p = buf_str(&b);
	while (*p && !rc) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *hash = memchr(p, '#', len);
		rc = add_recipe(list, n, p, hash ? (size_t)(hash - p) : len, arg + 1);
		p += len + (e != NULL);
	}
	buf_release(&b);
	return rc;
}

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < lo || x > hi) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%s needs a number from %d to %d, not '%.40s'", opt, lo,
			 hi, v);
		return usage_error(msg);
	}
	*out = (int)x;
	return 0;
}

/* the first word of CMD, when it names a file by path: it must be executable */
static int check_harness(const char *cmd)
{
	const char *p = cmd;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t len = strcspn(p, " \t\n;&|<>()$`'\"\\");
	if (!len || !memchr(p, '/', len) || p[len] == '\'' || p[len] == '"' || p[len] == '\\' ||
	    p[len] == '$' || p[len] == '`')
		return 0; /* a shell word we cannot judge: the shell will say */
	char *path = xstrndup(p, len);
	int rc = access(path, X_OK)
		     ? error("'%s': harness not found or not executable: %s", path, strerror(errno))
		     : 0;
	free(path);
	return rc;
}

static const char *const triggers[] = {"sweep", "isolation", "testme", "manual"};

/*
 * --rerun-isolated N: after the sweep is stored and classified, the recipes whose
 * failure is still `new`, or whose evidence has no run alone, are run again one at a
 * time (trigger isolation, no sweep), at most n of them, then classified again, so
 * the morning's site already says flake or defect (derive.h: the exact choice).
 * Adds to *t; *reran = how many were re-run. -1 on a store error.
 */
static int rerun_isolated(struct store *st, const struct sweep_cfg *sweep, int n,
			  struct sweep_tally *t, int *reran)
{
	char **again = NULL;
	size_t na = 0;
	if (derive_isolation_candidates(st, sweep->sweep_id, n, &again, &na) < 0)
		return -1;
	int rc = 0;
	if (na) {
		struct sweep_cfg iso = *sweep;
		iso.trigger = "isolation";
		iso.sweep_id = NULL;
		iso.jobs = 1;	/* alone: nothing else runs beside them */
		struct sweep_tally ti;
		memset(&ti, 0, sizeof(ti));
		sweep_run(st, &iso, again, na, &ti);
		if (!ti.store_failed && ti.stored && collect_after(st))
			ti.store_failed = 1;
		t->total += ti.total;
		t->done += ti.done;
		t->failed += ti.failed;
		t->timed_out += ti.timed_out;
		t->stored += ti.stored;
		t->unchanged += ti.unchanged;
		t->rejected += ti.rejected;
		t->cannot_run += ti.cannot_run;
		t->stopped += ti.stopped;
		t->not_started += ti.not_started;
		if (ti.stop_signal)
			t->stop_signal = ti.stop_signal;
		rc = ti.store_failed ? -1 : 0;
		*reran = (int)na;
	}
	derive_free_list(again);
	return rc;
}

int cmd_collect_sweep(int argc, char **argv)
{
	const char *harness = NULL, *recipes_arg = NULL, *trigger = "sweep", *runs = "runs";
	const char *sweep_id = NULL;
	int jobs = SWEEP_DEFAULT_JOBS, timeout = SWEEP_DEFAULT_TIMEOUT, rerun = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		static const char *const opts[] = {"--harness", "--recipes", "--jobs", "--timeout",
						   "--trigger", "--runs",    "--sweep",
						   "--rerun-isolated"};
		size_t k;
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
			size_t l = strlen(opts[k]);
			if (!strncmp(a, opts[k], l) && (a[l] == '=' || !a[l])) {
				if (a[l] == '=')
					v = a + l + 1;
				else if (i + 1 < argc)
					v = argv[++i];
				break;
			}
		}
		if (k == sizeof(opts) / sizeof(opts[0])) {
			fprintf(stderr, "ccr: '%s': unknown option\n", a);
			return usage_error(sweep_usage);
		}
		if (!v) {
			fprintf(stderr, "ccr: %s needs a value\n", opts[k]);
			return usage_error(sweep_usage);
		}
		switch (k) {
		case 0:
			harness = v;
			break;
		case 1:
			recipes_arg = v;
			break;
		case 2:
			if (parse_int("--jobs", v, 1, SWEEP_MAX_JOBS, &jobs))
				return EXIT_USAGE;
			break;
		case 3:
			if (parse_int("--timeout", v, 0, 7 * 86400, &timeout))
				return EXIT_USAGE;
			break;
		case 4:
			trigger = v;
			break;
		case 5:
			runs = v;
			break;
		case 6:
			sweep_id = v;
			break;
		case 7:
			if (parse_int("--rerun-isolated", v, 0, SWEEP_MAX_RERUNS, &rerun))
				return EXIT_USAGE;
			break;
		}
	}
	if (!harness || !*harness || !recipes_arg)
		return usage_error(sweep_usage);
	size_t ti;
	for (ti = 0; ti < sizeof(triggers) / sizeof(triggers[0]); ti++)
		if (!strcmp(trigger, triggers[ti]))
			break;
	if (ti == sizeof(triggers) / sizeof(triggers[0]))
		return usage_error("--trigger is one of sweep, isolation, testme, manual");
	/* isolation re-runs tell flakes from defects only when nothing runs beside them */
	if (!strcmp(trigger, "isolation"))
		jobs = 1;
	if (sweep_id && strcmp(trigger, "sweep"))
		return usage_error("--sweep goes with --trigger sweep only");
	if (rerun && strcmp(trigger, "sweep"))
		return usage_error("--rerun-isolated goes with --trigger sweep only");
	if (sweep_id && !valid_recipe(sweep_id, strlen(sweep_id)))
		return usage_error("--sweep ID: 1 to 200 bytes, no '/' or control characters");

	int rc = EXIT_USAGE;
	char **list = NULL;
	size_t n = 0;
	struct store *st = NULL;
	char *runs_abs = NULL;
	char *id = NULL;
	if (parse_recipes(recipes_arg, &list, &n))
		goto out;
	if (!n) {
		error("'%s': no recipes to sweep", recipes_arg);
		goto out;
	}
	if (check_harness(harness))
		goto out;
	if (mkdir(runs, 0777) && errno != EEXIST) {
		error("'%s': %s", runs, strerror(errno));
		goto out;
	}
	runs_abs = realpath(runs, NULL);
	if (!runs_abs) {
		error("'%s': %s", runs, strerror(errno));
		goto out;
	}
	char host[HOST_NAME_MAX + 1] = "";
	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "unknown");
	host[HOST_NAME_MAX] = '\0';
	int64_t start = sweep_clock();
	if (!strcmp(trigger, "sweep")) {
		if (sweep_id) {
			id = xstrdup(sweep_id);
		} else {
			char stamp[17], slug[SLUG_SIZE];
			time_fmt_compact(start, stamp);
			slug_name(host, strlen(host), slug);
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s-%s", stamp, slug);
			id = buf_detach(&b, NULL);
		}
	}
	st = store_open(cli.db, STORE_CREATE);
	if (!st)
		goto out;

	struct sweep_cfg cfg = {harness, runs_abs, trigger, id, host, jobs, timeout};
	struct sweep_tally t;
	memset(&t, 0, sizeof(t));
	double t0 = mono();
	sweep_run(st, &cfg, list, n, &t);
	if (!t.store_failed && t.stored && collect_after(st))
		t.store_failed = 1;
	int reran = 0;
	if (rerun && !t.stop_signal && !t.store_failed && rerun_isolated(st, &cfg, rerun, &t, &reran))
		t.store_failed = 1;

	if (t.stop_signal)
		error("sweep interrupted by %s: %d runs archived, %d stopped, %d not started",
		      t.stop_signal == SIGINT ? "SIGINT" : "SIGTERM", t.stored + t.unchanged,
		      t.stopped, t.not_started);
	else if (t.store_failed)
		error("'%s': sweep stopped by a store error: %d runs archived, %d stopped, %d not "
		      "started",
		      cli.db, t.stored + t.unchanged, t.stopped, t.not_started);
	else if (progress_enabled() || verbosity > 0) {
		int el = (int)(mono() - t0);
		fprintf(stderr,
			"ccr: %s%s%s: %d runs (%d re-run alone), %d failed, %d timed out, %d stored "
			"in %d:%02d\n",
			trigger, id ? " " : "", id ? id : "", t.done, reran, t.failed, t.timed_out,
			t.stored, el / 60, el % 60);
	}
	if (t.stop_signal || t.store_failed || t.cannot_run)
		rc = EXIT_USAGE;
	else if (t.rejected)
		rc = EXIT_REJECTED;
	else
		rc = EXIT_OK;
out:
	if (st)
		store_close(st);
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(runs_abs);
	free(id);
	return rc;
}
