-- Delivery bodies are stored LZ4-compressed from now on (`encoding = 'lz4'`):
-- GitHub's JSON shrinks about 4.5×, and so does the WAL. Rows stored before
-- keep their JSON bytes under `encoding = 'json'`.
ALTER TABLE deliveries ALTER COLUMN payload TYPE BYTEA USING convert_to(payload, 'UTF8');
-- Already compressed: TOAST may move it out of line but need not try pglz on it.
ALTER TABLE deliveries ALTER COLUMN payload SET STORAGE EXTERNAL;
ALTER TABLE deliveries ADD COLUMN encoding TEXT NOT NULL DEFAULT 'json';
