-- Which agent wrote an agent message, by name as webchat named them when it arrived: after a
-- transfer the robot's lines and the human's must not look alike. Rows stored before have
-- none, and are shown as the conversation's agent, as before.
ALTER TABLE messages ADD COLUMN agent_name TEXT;
