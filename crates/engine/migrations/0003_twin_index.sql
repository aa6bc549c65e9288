-- Finding a repeated agent message must not scan the whole conversation.
CREATE INDEX messages_twin ON messages(conversation_id, wire_time) WHERE direction = 'in';
