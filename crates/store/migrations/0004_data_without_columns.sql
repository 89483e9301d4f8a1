-- A row's `data` no longer repeats what its columns hold: the record's
-- type, id and name, its territory, owner and coordinates, and the source
-- and times of its provenance (crates/store/src/codec.rs puts them back
-- when a record is read). Rows are about a third smaller.

UPDATE entity SET data = CASE kind
    WHEN 'actor' THEN json_remove(data, '$.type', '$.id', '$.name',
        '$.territory', '$.location',
        '$.provenance.source', '$.provenance.created_at', '$.provenance.updated_at')
    WHEN 'place' THEN json_remove(data, '$.type', '$.id', '$.name',
        '$.territory', '$.actor', '$.location',
        '$.provenance.source', '$.provenance.created_at', '$.provenance.updated_at')
    WHEN 'territory' THEN json_remove(data, '$.type', '$.id', '$.name',
        '$.parent',
        '$.provenance.source', '$.provenance.created_at', '$.provenance.updated_at')
    ELSE json_remove(data, '$.type', '$.id', '$.name',
        '$.provenance.source', '$.provenance.created_at', '$.provenance.updated_at')
END;
