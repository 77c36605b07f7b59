-- ccr store schema: the file format between `collect` (writes) and `render` (reads).
--
-- The file is a list of migrations. Each starts with a line "-- migration N"
-- and runs once, in order, inside one transaction, when PRAGMA user_version < N;
-- user_version is then N. Never edit a migration that has shipped: add one.
-- A header "-- migration N (readers need not wait)" marks one that only speeds reads up
-- (an index): render, runs and show open a store that lacks it (lib/store.c).
--
-- Conventions for every table:
--   times    INTEGER seconds since the Unix epoch, UTC (column names end in _at,
--            or are started/finished); NULL = unknown.
--   durations INTEGER milliseconds (columns end in _ms); NULL = unknown.
--   hashes   TEXT, 64 lowercase hex digits of SHA-256 over the raw bytes.
--   ids      TEXT derived from content, never autoincrement, so a store rebuilt
--            from the same runs gives the same ids (and the site the same URLs).

-- migration 1

-- Raw bytes (JUnit XML, logs), content-addressed: the same bytes are stored once.
-- Written by collect; read by render (raw log downloads, log pages).
CREATE TABLE blob (
  hash TEXT PRIMARY KEY,       -- SHA-256 of the raw (uncompressed) bytes
  size INTEGER NOT NULL,       -- raw size in bytes
  data BLOB NOT NULL           -- zlib (RFC 1950) stream of the raw bytes
) WITHOUT ROWID;

-- A sweep: the nightly pass over all recipes. Runs with trigger 'sweep' belong
-- to one. Its id comes from run.json's "sweep" or, when absent, from the host and
-- the UTC start date: "<YYYYMMDD>-<host>".
CREATE TABLE sweep (
  id TEXT PRIMARY KEY,
  host TEXT,                   -- host of the first run seen, may be NULL
  started INTEGER,             -- earliest run start in the sweep (kept up to date by collect)
  finished INTEGER             -- latest run end in the sweep
);

-- One harness execution for one recipe at one tag.
CREATE TABLE run (
  id TEXT PRIMARY KEY,         -- "<started as YYYYMMDDTHHMMSSZ>-<recipe>", e.g. 20260618T001730Z-mumble
  recipe TEXT NOT NULL,        -- recipe name as given (any bytes but '/', NUL)
  version TEXT,                -- the tag tested, e.g. 2.1.9+10.11.15; NULL = unknown
  ref TEXT,                    -- recipe commit
  harness_ref TEXT,            -- harness commit; part of "same sources" for classification
  host TEXT,                   -- node that ran it
  mode TEXT,                   -- 'cold' | 'warm' | NULL
  trigger_kind TEXT NOT NULL, -- run.json "trigger" (TRIGGER is an SQL keyword): 'sweep' | 'isolation' | 'testme' | 'manual'
  sweep_id TEXT REFERENCES sweep(id),  -- set for trigger 'sweep', else NULL
  external_id TEXT,            -- e.g. '#901' for a testme run
  started INTEGER NOT NULL,
  finished INTEGER,
  exit_code INTEGER,           -- harness exit status; NULL = unknown; 124 = killed on timeout
  load_start REAL,             -- /proc/loadavg 1-minute figure at start (collect sweep only)
  load_end REAL,               -- the same at the end
  overlap INTEGER NOT NULL DEFAULT 0, -- how many other runs on the same host overlapped this
                               -- one in time: other.started < finished AND other.finished > started
                               -- (sharing only an end second is not overlapping). Maintained by
                               -- collect when it stores a run: the new run gets the count, each of
                               -- those runs gets +1, in the same transaction. A run with host or
                               -- finished NULL overlaps nothing (and stays 0).
  status TEXT NOT NULL,        -- run verdict: 'passed' | 'failed' | 'error' (a tier errored
                               -- or the harness crashed) | 'promote_failed' (all tiers green,
                               -- the promote after them failed)
  promote_outcome TEXT,        -- 'promoted' | 'advanced' | 'failed' | 'skipped' | NULL (none tried)
  promote_version TEXT,
  promote_at INTEGER,
  promote_reason TEXT,
  source TEXT,                 -- where it was ingested from (absolute folder path or URL)
  manifest_hash TEXT NOT NULL, -- SHA-256 over the run's sorted (file name, content hash) pairs and
                               -- its effective metadata (not source, ingested_at, load_*): a
                               -- second ingest with the same id and hash is a no-op; the same id
                               -- with another hash is a conflict (the archived run is kept)
  ingested_at INTEGER NOT NULL -- when collect stored it (honours $CCR_NOW)
);
CREATE INDEX run_recipe_started ON run(recipe, started);
CREATE INDEX run_host_started ON run(host, started);
CREATE INDEX run_sweep ON run(sweep_id);
CREATE INDEX run_started ON run(started);

-- One tier of a run. Every tier named by a JUnit file, by run.json "tiers" or by
-- the harness's results.json gets a row.
CREATE TABLE tier (
  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  name TEXT NOT NULL,          -- install | upgrade | backup | restore | custom | any other
  seq INTEGER NOT NULL,        -- display order: the canonical tier order, then others by name
  status TEXT NOT NULL,        -- 'passed' | 'failed' | 'error' | 'skipped' (every test skipped)
                               -- | 'expected_na' | 'not_run' (declared, no JUnit, run ended ok)
  reason TEXT,                 -- why expected_na / not_run / error (e.g. the parse error)
  tests INTEGER NOT NULL DEFAULT 0,    -- recounted from testcases, never the declared figure
  failures INTEGER NOT NULL DEFAULT 0, -- testcases with status failed
  errors INTEGER NOT NULL DEFAULT 0,   -- testcases with status error (+1 per unreadable file)
  skipped INTEGER NOT NULL DEFAULT 0,  -- skipped + xfail + disabled
  time_ms INTEGER,             -- sum of testcase times; NULL when none known
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

-- Each file of a run as archived: JUnit files and logs.
CREATE TABLE file (
  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,          -- 'junit' | 'log' | 'meta' (run.json, results.json)
  name TEXT NOT NULL,          -- path relative to the run folder, e.g. junit/restore__cc-ci__test_restore.xml
  tier TEXT,                   -- for junit files: the tier (file name up to the first "__")
  hash TEXT REFERENCES blob(hash), -- the raw bytes; NULL only when the file could not be read
                               -- at all (over its size cap, unreadable): error says why
  size INTEGER NOT NULL,       -- raw bytes (0 when hash is NULL)
  lines INTEGER,               -- for logs: number of lines (a last line without \n counts)
  error TEXT,                  -- why the file was rejected (not well-formed, empty, ...), else NULL
  PRIMARY KEY (run_id, kind, name)
) WITHOUT ROWID;

-- A test's identity within a recipe and tier, across runs.
CREATE TABLE test (
  id INTEGER PRIMARY KEY,      -- internal only, never in a URL
  recipe TEXT NOT NULL,
  tier TEXT NOT NULL,
  classname TEXT NOT NULL,     -- '' when the JUnit had none
  name TEXT NOT NULL,
  slug TEXT NOT NULL,          -- URL slug, a pure function of (classname, name): see lib/slug.h
  UNIQUE (recipe, tier, classname, name)
);
CREATE INDEX test_slug ON test(recipe, tier, slug);

-- One testcase outcome in one run (duplicates in one file merged: worst status wins).
CREATE TABLE testcase (
  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  test_id INTEGER NOT NULL REFERENCES test(id),
  tier TEXT NOT NULL,
  seq INTEGER NOT NULL,        -- order of first appearance in the run (files by name, then document order)
  file TEXT,                   -- the JUnit file name it came from
  suite TEXT,                  -- innermost testsuite name
  status TEXT NOT NULL,        -- 'passed' | 'failed' | 'error' | 'skipped' | 'xfail' | 'flaky'
                               -- (disabled tests: 'skipped' with type 'disabled')
  time_ms INTEGER,             -- NULL when absent or unreadable
  message TEXT,                -- failure/error/skip message (attribute, or first line of the text)
  type TEXT,                   -- failure type attribute
  details TEXT,                -- traceback / body text
  system_out TEXT,             -- joined when repeated
  system_err TEXT,
  properties TEXT,             -- JSON object of <property name= value=>, or NULL
  attempts TEXT,               -- JSON array of every attempt when the test ran more than once
                               -- (duplicates, reruns, flaky): [{"status":..,"message":..,"time_ms":..}]
  truncated INTEGER NOT NULL DEFAULT 0, -- 1 when any text field was cut at its limit
  signature TEXT,              -- failure signature id (see lib/signature.h), NULL when not failed/error
  PRIMARY KEY (run_id, test_id)
) WITHOUT ROWID;
CREATE INDEX testcase_test ON testcase(test_id, run_id);
CREATE INDEX testcase_signature ON testcase(signature) WHERE signature IS NOT NULL;

-- migration 2

-- Derived tables: classification of every test, failure signatures, infrastructure
-- incidents. All written by collect (collect/derive.c, after each collect command) from
-- run/tier/testcase rows; read by render. Rebuilding the store from the same runs gives the
-- same rows. Rules in README "Classification".

-- Runs whose derived rows are up to date; collect derives only runs missing here.
CREATE TABLE derived_run (
  run_id TEXT PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,
  derived_at INTEGER NOT NULL  -- when collect derived it (honours $CCR_NOW)
) WITHOUT ROWID;

-- One failure cause: a normalised failure message (lib/signature.h). Testcases point at it
-- through testcase.signature. The counts cover every failed/error testcase with it, incidents
-- included.
CREATE TABLE signature (
  id TEXT PRIMARY KEY,         -- 12 lowercase hex digits: SHA-256 of text, cut
  text TEXT NOT NULL,          -- the normalised message, at most 200 bytes, valid UTF-8
  example TEXT,                -- the message (first line, as written) of its earliest occurrence
  occurrences INTEGER NOT NULL DEFAULT 0, -- failed/error testcases with this signature
  runs INTEGER NOT NULL DEFAULT 0,     -- distinct runs among them
  recipes INTEGER NOT NULL DEFAULT 0,  -- distinct recipes
  tests INTEGER NOT NULL DEFAULT 0,    -- distinct tests (recipe, tier, classname, name)
  first_seen INTEGER,          -- started of the earliest run with an occurrence
  last_seen INTEGER,           -- started of the latest
  first_run TEXT,              -- id of that earliest run (ties: smallest id)
  last_run TEXT                -- id of that latest run (ties: largest id)
) WITHOUT ROWID;
CREATE INDEX signature_last_seen ON signature(last_seen);

-- An infrastructure incident: in one sweep, at least 3 recipes and at least half of the
-- recipes with runs in it failed the same tier with the same signature (a node outage, a
-- registry down). Its failures are shown, and left out of classification counts.
CREATE TABLE incident (
  sweep_id TEXT NOT NULL REFERENCES sweep(id),
  tier TEXT NOT NULL,
  signature TEXT NOT NULL,     -- signature.id
  recipes INTEGER NOT NULL,    -- recipes that failed this tier with this signature in the sweep
  of_recipes INTEGER NOT NULL, -- recipes with runs in the sweep
  testcases INTEGER NOT NULL,  -- failed/error testcases it leaves out
  PRIMARY KEY (sweep_id, tier, signature)
) WITHOUT ROWID;

-- The testcases an incident leaves out of the counts (one row each).
CREATE TABLE incident_testcase (
  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  test_id INTEGER NOT NULL,    -- test.id
  sweep_id TEXT NOT NULL,      -- incident.sweep_id
  tier TEXT NOT NULL,          -- incident.tier
  signature TEXT NOT NULL,     -- incident.signature
  PRIMARY KEY (run_id, test_id)
) WITHOUT ROWID;
CREATE INDEX incident_testcase_sweep ON incident_testcase(sweep_id);

-- The state of one test at one set of sources: one row per (test, version, harness ref)
-- with counted outcomes (skips, expected-NA and incident failures do not count).
CREATE TABLE classification (
  test_id INTEGER NOT NULL REFERENCES test(id),
  recipe TEXT NOT NULL,        -- test.recipe (copied for the page queries)
  tier TEXT NOT NULL,          -- test.tier
  version TEXT NOT NULL,       -- run.version; '' when runs record none (JSON null)
  harness_ref TEXT NOT NULL,   -- run.harness_ref; '' when runs record none (JSON null)
  seq INTEGER NOT NULL,        -- position of these sources in the test's history: 1, 2, ... by
                               -- version (collation "version"), then first_seen
  state TEXT NOT NULL,         -- 'passing' | 'new' | 'deterministic' | 'flaky' | 'fixed'
  load INTEGER NOT NULL,       -- 1 = flaky, every failure overlapped other runs, and a run
                               -- alone passed; else 0
  passes INTEGER NOT NULL,     -- counted runs where it passed (status passed or flaky)
  failures INTEGER NOT NULL,   -- counted runs where it failed (status failed, error or flaky)
  isolated_passes INTEGER NOT NULL,   -- of passes, runs alone (run.overlap = 0)
  isolated_failures INTEGER NOT NULL, -- of failures, runs alone
  isolation_runs INTEGER NOT NULL,    -- counted runs with trigger 'isolation'
  excluded INTEGER NOT NULL,   -- failures left out as part of an incident
  fail_overlap_min INTEGER,    -- fewest other runs overlapping a failure; NULL without failures
  fail_overlap_max INTEGER,    -- most
  runs TEXT NOT NULL,          -- JSON array of the counted run ids, by started then id
  isolated_runs TEXT NOT NULL, -- JSON array of those that ran alone
  first_seen INTEGER NOT NULL, -- started of the earliest counted run
  last_seen INTEGER NOT NULL,  -- started of the latest
  last_failed INTEGER,         -- started of the latest failing run; NULL without failures
  failing_since TEXT,          -- version where the current failing streak began (this one or
                               -- earlier); NULL when state is passing or fixed
  regression INTEGER NOT NULL, -- 1 = fails here, and the previous sources passed with no failure
  prev_version TEXT,           -- version of the previous sources with outcomes; NULL = none
  signature TEXT,              -- signature.id of the latest failure; NULL when none has one
  evidence TEXT NOT NULL,      -- the state in words, e.g. "deterministic: 3 of 3 runs at
                               -- 2.1.9+10.11.15 failed, 1 of them in isolation"
  PRIMARY KEY (test_id, version, harness_ref)
) WITHOUT ROWID;
CREATE INDEX classification_recipe ON classification(recipe, tier, state);
CREATE INDEX classification_state ON classification(state, last_seen);

-- runs of one recipe at one version: the classification's unit of work
CREATE INDEX run_recipe_version ON run(recipe, version, harness_ref);

-- migration 3

-- Canonical records as `ccr collect canon DIR` saw them (DIR/<recipe>/canonical.json).
-- A row is added only when a recipe's record differs from its previous row, or is
-- gone: records rewritten in place keep their whole history here. Written by
-- collect canon; read by render (timeline, recipe pages).
CREATE TABLE canon_record (
  recipe TEXT NOT NULL,        -- the record's "recipe" (equal to its folder name in DIR)
  seq INTEGER NOT NULL,        -- 1, 2, ... per recipe, in the order collect canon saw the changes
  seen_at INTEGER NOT NULL,    -- when collect canon first saw this content (honours $CCR_NOW)
  hash TEXT,                   -- SHA-256 of canonical.json's raw bytes; NULL = the record was removed
  version TEXT,                -- "version", e.g. 1.13.0+1.31.1; NULL when absent or removed
  commit_ref TEXT,             -- "commit", the recipe commit deployed (COMMIT is an SQL keyword)
  status TEXT,                 -- "status" as the harness wrote it, e.g. 'idle'
  ts INTEGER,                  -- "ts" parsed (compact ISO 8601 UTC, 20260617T050314Z): when the
                               -- record was written; NULL when absent or unreadable
  raw TEXT,                    -- the JSON text as read (at most 64 KiB); NULL when removed
  PRIMARY KEY (recipe, seq)
) WITHOUT ROWID;

-- What happened to canonicals, one row per event, in time order by `at`. Written by
-- collect canon (idempotent: collecting the same records and runs again adds nothing);
-- read by render. Promote attempts of runs ingested after the last `collect canon`
-- are not here yet: the view canon_timeline adds them.
CREATE TABLE canon_event (
  recipe TEXT NOT NULL,
  at INTEGER NOT NULL,         -- when it happened: a run's promote_at (else its finished, started);
                               -- a record's ts for record changes; seen_at for removals and
                               -- records without ts
  kind TEXT NOT NULL,          -- 'promoted' | 'advanced' | 'failed': a run's promote attempt (run_id set);
                               --   promoted/advanced get record_seq once a record shows them
                               -- 'enrolled': the first record seen for a recipe, no run explains it
                               -- 'changed_unexplained': version, commit or ts changed, no run explains it
                               -- 'status': only the record's status changed (e.g. idle -> deployed)
                               -- 'removed': the record disappeared from DIR
  version TEXT,                -- canonical version after the event; for 'failed' the version attempted
  prev_version TEXT,           -- canonical version before it as the records showed; NULL = none/unknown
  run_id TEXT,                 -- the run whose promote this is or that explains the change; else NULL
  record_seq INTEGER,          -- canon_record.seq of the record change it stands for; NULL for
                               -- attempts no record has shown (yet), and for 'failed'
  seen_at INTEGER NOT NULL     -- when collect canon stored it
);
CREATE UNIQUE INDEX canon_event_run ON canon_event(run_id) WHERE run_id IS NOT NULL;
CREATE UNIQUE INDEX canon_event_record ON canon_event(recipe, record_seq) WHERE record_seq IS NOT NULL;
CREATE INDEX canon_event_recipe_at ON canon_event(recipe, at);
-- runs that tried a promote: few, and looked up by collect canon and the timeline
CREATE INDEX run_promote ON run(recipe, promote_at) WHERE promote_outcome IS NOT NULL;

-- Every promote event in time order, including attempts of runs that `collect canon` has
-- not seen yet (straight from run.promote_*). Columns as canon_event; read by render.
CREATE VIEW canon_timeline AS
  SELECT recipe, at, kind, version, prev_version, run_id, record_seq FROM canon_event
  UNION ALL
  SELECT r.recipe, coalesce(r.promote_at, r.finished, r.started), r.promote_outcome,
         r.promote_version, NULL, r.id, NULL
    FROM run r
   WHERE r.promote_outcome IN ('promoted', 'advanced', 'failed')
     AND NOT EXISTS (SELECT 1 FROM canon_event e WHERE e.run_id = r.id);

-- The record each recipe holds now (its latest row, unless that row is a removal).
CREATE VIEW canon_current AS
  SELECT c.* FROM canon_record c
   WHERE c.hash IS NOT NULL
     AND c.seq = (SELECT max(seq) FROM canon_record m WHERE m.recipe = c.recipe);

-- Validators of files `collect fetch` downloaded, for conditional requests: a re-fetch
-- sends them back (If-None-Match / If-Modified-Since) and a 304 downloads nothing.
-- Written and read by collect fetch only.
CREATE TABLE fetch_cache (
  url TEXT PRIMARY KEY,        -- absolute URL of a run folder ("/" at the end)
  key_url TEXT,                -- the file whose validators stand for the folder (its run.json or
                               -- results.json); NULL when the folder has neither
  etag TEXT,                   -- key file's ETag response header, verbatim; NULL when none
  last_modified TEXT,          -- key file's Last-Modified header, verbatim; NULL when none
  key_hash TEXT,               -- SHA-256 of the key file's bytes (a 200 with the same bytes is unchanged)
  listing_hash TEXT,           -- SHA-256 over the folder's listing entries (folders without a key file)
  run_id TEXT NOT NULL,        -- the run it was ingested as
  fetched_at INTEGER NOT NULL  -- when it was last checked
) WITHOUT ROWID;

-- migration 4
-- ccr prune drops the bytes of old logs and keeps everything else: the blob row stays
-- (hash, size), so file rows still point at it and log pages can say when it went.
ALTER TABLE blob ADD COLUMN pruned_at INTEGER; -- UTC seconds when 'ccr prune' dropped data
                               -- (data is then x'', zero bytes); NULL: the bytes are here.
                               -- Written by prune; set back to NULL by collect when a run
                               -- brings the same bytes again (store_put_blob)

-- migration 5
-- testcase_test carries the status, so a test's history (test pages, the render's
-- changed-test search, classification walks) is read from the index alone: each
-- row fetched from the table is a descent through a text primary key, and at a
-- year of nightly runs those fetches were most of a full render's test pages.
DROP INDEX testcase_test;
CREATE INDEX testcase_test ON testcase(test_id, run_id, status);

-- migration 6 (readers need not wait)
-- Every render asks how many blobs 'ccr prune' dropped and when (render/render.c): without
-- an index that read every leaf page of blob (~0.1 s at a year of nightly runs). The
-- partial index holds only the pruned blobs, so the question is a seek into a few rows,
-- and unpruned blobs cost ingest nothing here. "Readers need not wait": a store not yet
-- migrated gives the same answers, only slower, so render, runs and show open it as it is.
CREATE INDEX blob_pruned ON blob(pruned_at) WHERE pruned_at IS NOT NULL;

-- migration 7 (readers need not wait)
-- The log line each failure links to (lib/runlogs.h says how it is found), written by
-- collect when it derives a run (collect/failline.c): the site linked every failure
-- by decompressing its run's logs again on every test page that showed it, at most 40
-- searches a page, which at a year of nightly runs was half of the test pages' cost.
-- Runs collected before this table have no rows, and a store without it has none:
-- the render searches for those (render/logfind.c), so readers need not wait.
CREATE TABLE failure_line (
  run_id TEXT NOT NULL,        -- run.id of the failed or error testcase
  test_id INTEGER NOT NULL,    -- test.id of the testcase
  log TEXT,                    -- file.name of the log holding the line (e.g. logs/harness.log);
                               -- NULL: neither the test's name nor its message shows in any log
  line INTEGER,                -- 1-based line in that log; NULL with log
  PRIMARY KEY (run_id, test_id)
) WITHOUT ROWID;

-- migration 8 (readers need not wait)
-- A test's classification at one run's sources, for run pages (which tests get a state
-- word), sweep pages (what changed) and the render's plan (which groups' states moved:
-- render/sources.c): a row of classification is ~700 bytes (the counted runs' ids), so
-- 50 lookups a run page read 50 leaf pages of a 90 MB table at a year of nightly runs.
-- This index holds only what those lookups read (~9 MB there); the queries name it
-- (render/render.h: CLASS_BY_SOURCES) when the store has it.
CREATE INDEX classification_sources ON classification(test_id, version, harness_ref, state, load,
  excluded, seq);
