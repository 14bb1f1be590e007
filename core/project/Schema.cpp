#include "project/Schema.h"

#include "project/Database.h"

#include <array>
#include <string>

namespace graft {
namespace {

// Entry i migrates user_version i to i + 1. Never edit a released entry; append a new one.
constexpr std::array kMigrations = {
    R"sql(
CREATE TABLE settings(
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE images(
    sha256   TEXT PRIMARY KEY,
    data     BLOB NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    source   TEXT NOT NULL,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE classes(
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE labels(
    image    TEXT PRIMARY KEY REFERENCES images(sha256) ON DELETE CASCADE,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE
);
CREATE INDEX labels_by_class ON labels(class_id);
CREATE TABLE splits(
    image TEXT PRIMARY KEY REFERENCES images(sha256) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test'))
);
CREATE TABLE runs(
    id            INTEGER PRIMARY KEY,
    arm           TEXT NOT NULL,
    arch          TEXT NOT NULL,
    init          TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    config        TEXT NOT NULL,
    status        TEXT NOT NULL
                  CHECK (status IN ('running', 'finished', 'cancelled', 'failed', 'interrupted')),
    status_detail TEXT NOT NULL DEFAULT '',
    pid           INTEGER NOT NULL,
    process_start INTEGER NOT NULL,
    host          TEXT NOT NULL,
    graft_version TEXT NOT NULL,
    torch_version TEXT NOT NULL,
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at      TEXT
);
CREATE TABLE metrics(
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    step   INTEGER NOT NULL,
    epoch  INTEGER NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE TABLE checkpoints(
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch      INTEGER NOT NULL,
    step       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX checkpoints_by_run ON checkpoints(run_id, step);
)sql",
    // Exact resume: a run keeps its newest and its best checkpoint, and the newest carries the
    // optimizer, random generators and position in the epoch (TrainingState).
    R"sql(
ALTER TABLE checkpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'last' CHECK (kind IN ('last', 'best'));
ALTER TABLE checkpoints ADD COLUMN training_state BLOB;
)sql",
    // Frozen-prefix features too large for memory (ProjectFeatureStore), one row per image.
    R"sql(
CREATE TABLE feature_sets(
    key       TEXT PRIMARY KEY,
    shape     TEXT NOT NULL,
    images    INTEGER NOT NULL,
    complete  INTEGER NOT NULL DEFAULT 0,
    last_used TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE features(
    set_key TEXT NOT NULL REFERENCES feature_sets(key) ON DELETE CASCADE,
    item    INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (set_key, item)
);
)sql",
    // Experiments: paired trials whose runs point back at them.
    R"sql(
CREATE TABLE experiments(
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
ALTER TABLE runs ADD COLUMN experiment_id INTEGER REFERENCES experiments(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN labels_per_class INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_by_trial ON runs(experiment_id, arm, seed, labels_per_class);
)sql",
    // The held-out images each evaluated run got wrong: McNemar's pairs and the error browser.
    R"sql(
CREATE TABLE heldout_errors(
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    image     TEXT NOT NULL REFERENCES images(sha256) ON DELETE CASCADE,
    actual    TEXT NOT NULL,
    predicted TEXT NOT NULL,
    PRIMARY KEY (run_id, image)
) WITHOUT ROWID;
)sql",
    // A labelling simulation's picks, stored before the trial that trains on them, so a rerun trains
    // on the same images; and every label an image has had, for the Data page's preview.
    R"sql(
CREATE TABLE labelling_picks(
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    strategy      TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    round         INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    image         TEXT NOT NULL REFERENCES images(sha256) ON DELETE CASCADE,
    PRIMARY KEY (experiment_id, strategy, seed, round, position)
) WITHOUT ROWID;
CREATE TABLE label_history(
    id         INTEGER PRIMARY KEY,
    image      TEXT NOT NULL REFERENCES images(sha256) ON DELETE CASCADE,
    class_name TEXT, -- NULL: the label was cleared
    changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX label_history_by_image ON label_history(image);
CREATE TRIGGER label_set AFTER INSERT ON labels BEGIN
    INSERT INTO label_history(image, class_name) SELECT NEW.image, name FROM classes WHERE id = NEW.class_id;
END;
CREATE TRIGGER label_changed AFTER UPDATE OF class_id ON labels WHEN NEW.class_id IS NOT OLD.class_id BEGIN
    INSERT INTO label_history(image, class_name) SELECT NEW.image, name FROM classes WHERE id = NEW.class_id;
END;
CREATE TRIGGER label_cleared AFTER DELETE ON labels BEGIN
    INSERT INTO label_history(image, class_name) SELECT OLD.image, NULL WHERE EXISTS (SELECT 1 FROM images WHERE sha256 = OLD.image);
END;
)sql",
    // The grid's columns of every image beside its bytes, so listing the images reads this index
    // rather than every image: with photos the bytes overflow into pages that a table scan walks
    // to reach the columns after them (5,000 images of 100 KB: 0.35 s warm, 1.9 s cold; 0.03 s here).
    R"sql(
CREATE INDEX images_catalog ON images(sha256, width, height, source);
)sql",
    // Domains: where an image comes from (lab or field, scanner A or B), for the domain gap and
    // adaptation. A table beside images, as labels are, so older projects read as before.
    R"sql(
CREATE TABLE image_domains(
    image  TEXT PRIMARY KEY REFERENCES images(sha256) ON DELETE CASCADE,
    domain TEXT NOT NULL CHECK (domain <> '')
) WITHOUT ROWID;
CREATE INDEX image_domains_by_domain ON image_domains(domain);
)sql",
    // A run with frozen blocks stores their tensors once, content-addressed and shared by every
    // checkpoint (of any run) that freezes the same weights; each checkpoint keeps only the rest.
    // A linear probe's epoch then writes the head's kilobytes, not the backbone's megabytes.
    R"sql(
CREATE TABLE frozen_weights(
    sha256 TEXT PRIMARY KEY,
    data   BLOB NOT NULL
);
ALTER TABLE checkpoints ADD COLUMN frozen_sha256 TEXT REFERENCES frozen_weights(sha256);
)sql",
    // Tasks: label sets on the same images (disease and severity), each with its own classes; an
    // image has at most one label per task. The classes and labels so far become task 1, which
    // every project keeps. classes and labels are rebuilt (SQLite cannot change a table's keys):
    // the new tables are filled, the old ones dropped child first so no cascade fires, and the
    // new ones renamed, which points labels' foreign key at the new classes. A label's class must
    // be of the label's task (the composite foreign key). A writer that names no task writes the
    // first one's.
    R"sql(
CREATE TABLE tasks(
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE CHECK (name <> '')
);
INSERT INTO tasks(id, name) VALUES (1, 'class');
DROP TRIGGER label_set;
DROP TRIGGER label_changed;
DROP TRIGGER label_cleared;
CREATE TABLE task_classes(
    id      INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL DEFAULT 1 REFERENCES tasks(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    UNIQUE (task_id, name),
    UNIQUE (id, task_id)
);
INSERT INTO task_classes(id, task_id, name) SELECT id, 1, name FROM classes;
CREATE TABLE task_labels(
    image    TEXT NOT NULL REFERENCES images(sha256) ON DELETE CASCADE,
    task_id  INTEGER NOT NULL DEFAULT 1,
    class_id INTEGER NOT NULL,
    PRIMARY KEY (image, task_id),
    FOREIGN KEY (class_id, task_id) REFERENCES task_classes(id, task_id) ON DELETE CASCADE
);
INSERT INTO task_labels(image, task_id, class_id) SELECT image, 1, class_id FROM labels ORDER BY rowid;
DROP TABLE labels;
DROP TABLE classes;
ALTER TABLE task_classes RENAME TO classes;
ALTER TABLE task_labels RENAME TO labels;
CREATE INDEX labels_by_class ON labels(class_id);
CREATE INDEX labels_by_task ON labels(task_id, class_id);
ALTER TABLE label_history ADD COLUMN task_id INTEGER NOT NULL DEFAULT 1;
CREATE TRIGGER label_set AFTER INSERT ON labels BEGIN
    INSERT INTO label_history(image, task_id, class_name) SELECT NEW.image, NEW.task_id, name FROM classes WHERE id = NEW.class_id;
END;
CREATE TRIGGER label_changed AFTER UPDATE OF class_id ON labels WHEN NEW.class_id IS NOT OLD.class_id BEGIN
    INSERT INTO label_history(image, task_id, class_name) SELECT NEW.image, NEW.task_id, name FROM classes WHERE id = NEW.class_id;
END;
CREATE TRIGGER label_cleared AFTER DELETE ON labels BEGIN
    INSERT INTO label_history(image, task_id, class_name) SELECT OLD.image, OLD.task_id, NULL
    WHERE EXISTS (SELECT 1 FROM images WHERE sha256 = OLD.image) AND EXISTS (SELECT 1 FROM tasks WHERE id = OLD.task_id);
END;
)sql",
};

} // namespace

int latestSchemaVersion() { return int(kMigrations.size()); }

void migrateTo(Database& db, int version) {
    const auto current = db.queryInt("PRAGMA user_version");
    if (current >= version) return;
    Transaction transaction(db);
    for (auto next = current; next < version; ++next) db.exec(kMigrations[std::size_t(next)]);
    db.exec("PRAGMA user_version = " + std::to_string(version));
    transaction.commit();
}

} // namespace graft
