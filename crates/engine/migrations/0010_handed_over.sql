-- When a robot chat was handed to a human within its session (transferCon.do in the
-- robot_session reading): a second transfer is not offered, since webchat would only answer
-- ALREADY_IN_CHATTING.
ALTER TABLE conversations ADD COLUMN handed_over_at INTEGER;
