-- The agent's id in the form webchat gave it (a number or a string, as JSON), so that
-- getmsg.do echoes it unchanged; `agent_id` keeps its text for lookups and display.
-- Rows stored before kept only the text, which they sent as a string: they go on doing so.
ALTER TABLE conversations ADD COLUMN agent_wire TEXT;
UPDATE conversations SET agent_wire = json_quote(agent_id) WHERE agent_id IS NOT NULL;
