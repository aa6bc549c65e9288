-- Contract findings of each exchange (JSON array), and listener fault rules.
ALTER TABLE exchanges ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE exchanges ADD COLUMN finding_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX exchanges_findings ON exchanges(finding_count) WHERE finding_count > 0;
