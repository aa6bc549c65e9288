-- Every write to a conversation row raises its version, in the statement that writes it, so
-- that a reader can tell which of two copies of a conversation is newer (an event published
-- late, or a load answered before a change, must not replace what came after it).
-- Rows stored before this migration start at 1, as new rows do.
ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- The counters the triggers keep are writes to the row too.
DROP TRIGGER messages_counted;
CREATE TRIGGER messages_counted AFTER INSERT ON messages WHEN new.direction != 'system' BEGIN
    UPDATE conversations SET message_count = message_count + 1, version = version + 1
    WHERE id = new.conversation_id;
END;
DROP TRIGGER exchanges_findings_counted;
CREATE TRIGGER exchanges_findings_counted AFTER INSERT ON exchanges
    WHEN new.finding_count > 0 AND new.conversation_id IS NOT NULL BEGIN
    UPDATE conversations SET finding_count = finding_count + new.finding_count, version = version + 1
    WHERE id = new.conversation_id;
END;
