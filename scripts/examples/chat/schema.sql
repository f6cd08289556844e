-- The chat's history (scripts/examples/chat/chat with CHAT_PG set); chat-db-init applies it.
-- Idempotent: run it again after an upgrade.
CREATE TABLE IF NOT EXISTS chat_message (
    id      bigserial   PRIMARY KEY,           -- the order lines were stored in
    room    text        NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    sender  text        NOT NULL,
    body    text        NOT NULL
);
-- "The last N lines of a room": an index scan backwards from the room's newest id.
CREATE INDEX IF NOT EXISTS chat_message_room_id ON chat_message (room, id);
