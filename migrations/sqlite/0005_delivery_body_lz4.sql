-- Delivery bodies are stored LZ4-compressed from now on (`encoding = 'lz4'`):
-- GitHub's JSON shrinks about 4.5×, and so does what each group commit writes
-- to the WAL. Rows stored before keep their JSON bytes under `encoding = 'json'`.
-- SQLite keeps a BLOB in this TEXT-declared column as it is (affinity only
-- converts numbers), so the column is not rebuilt; old text becomes a BLOB
-- so every row reads back the same way.
ALTER TABLE deliveries ADD COLUMN encoding TEXT NOT NULL DEFAULT 'json';
UPDATE deliveries SET payload = CAST(payload AS BLOB);
