-- ccr store schema: the file format between `collect` (writes) and `render` (reads).
--
-- The file is a list of migrations. Each starts with a line "-- migration N"
-- and runs once, in order, inside one transaction, when PRAGMA user_version < N;
-- user_version is then N. Never edit a migration that has shipped: add one.
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
                               -- one in time; maintained by collect for every run it stores
  status TEXT NOT NULL,        -- run verdict: 'passed' | 'failed' | 'error' (a tier errored
                               -- or the harness crashed) | 'promote_failed' (all tiers green,
                               -- the promote after them failed)
  promote_outcome TEXT,        -- 'promoted' | 'advanced' | 'failed' | 'skipped' | NULL (none tried)
  promote_version TEXT,
  promote_at INTEGER,
  promote_reason TEXT,
  source TEXT,                 -- where it was ingested from (folder path or URL)
  manifest_hash TEXT NOT NULL, -- SHA-256 over the run's file names and content hashes: a second
                               -- ingest with the same id and hash is a no-op
  ingested_at INTEGER NOT NULL
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
  hash TEXT NOT NULL REFERENCES blob(hash),
  size INTEGER NOT NULL,       -- raw bytes
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
