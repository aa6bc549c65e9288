-- Counts kept up to date by triggers instead of counted on every read: reading a
-- conversation or the customer list must not get slower as history grows.
ALTER TABLE conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN finding_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;

UPDATE conversations SET
    message_count = (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction != 'system'),
    finding_count = (SELECT COALESCE(SUM(e.finding_count), 0) FROM exchanges e WHERE e.conversation_id = conversations.id);
UPDATE customers SET unread = (
    SELECT COUNT(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
    WHERE v.customer_id = customers.id AND m.direction = 'in' AND m.id > customers.last_read_message_id);

CREATE TRIGGER messages_counted AFTER INSERT ON messages WHEN new.direction != 'system' BEGIN
    UPDATE conversations SET message_count = message_count + 1 WHERE id = new.conversation_id;
END;
CREATE TRIGGER messages_unread AFTER INSERT ON messages WHEN new.direction = 'in' BEGIN
    UPDATE customers SET unread = unread + 1
    WHERE id = (SELECT customer_id FROM conversations WHERE id = new.conversation_id);
END;
CREATE TRIGGER exchanges_findings_counted AFTER INSERT ON exchanges
    WHEN new.finding_count > 0 AND new.conversation_id IS NOT NULL BEGIN
    UPDATE conversations SET finding_count = finding_count + new.finding_count WHERE id = new.conversation_id;
END;
