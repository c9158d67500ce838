-- kefu_clone_schema(source, dest): copy a migrated tenant schema into a new schema.
--
-- Installed once (by a migration of the tenants app), called for every clone. It copies what
-- Django migrations create in a tenant schema: tables with their columns, defaults, identity
-- columns and generated columns; data (the migration history, content types, permissions and
-- whatever seed rows the template holds); primary keys, unique, check and exclusion
-- constraints, indexes and foreign keys with their original names, so a later migration that
-- drops a constraint by name works the same on a cloned schema as on a migrated one; triggers;
-- and identity sequence positions. Anything else in the source (views, functions, standalone
-- sequences, defaults that point at the source schema) makes it fail loudly rather than
-- produce a wrong copy.
CREATE OR REPLACE FUNCTION kefu_clone_schema(source_schema text, dest_schema text)
RETURNS void
LANGUAGE plpgsql
AS $function$
DECLARE
    source_oid oid;
    saved_search_path text := current_setting('search_path');
    rel record;
    item record;
    column_list text;
    ddl text[] := '{}';
    statement text;
BEGIN
    SELECT oid INTO source_oid FROM pg_namespace WHERE nspname = source_schema;
    IF source_oid IS NULL THEN
        RAISE EXCEPTION 'kefu_clone_schema: schema % does not exist', source_schema;
    END IF;

    -- Refuse what this function does not know how to copy.
    SELECT c.relname, c.relkind INTO item
    FROM pg_class c
    WHERE c.relnamespace = source_oid
      AND NOT (c.relkind IN ('r', 'i'))
      AND NOT (c.relkind = 'S' AND EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'kefu_clone_schema: cannot copy %.% (relkind %)',
            source_schema, item.relname, item.relkind;
    END IF;
    PERFORM 1 FROM pg_proc WHERE pronamespace = source_oid;
    IF FOUND THEN
        RAISE EXCEPTION 'kefu_clone_schema: schema % holds functions; not supported', source_schema;
    END IF;
    PERFORM 1
    FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid
    WHERE c.relnamespace = source_oid
      AND pg_get_expr(ad.adbin, ad.adrelid) LIKE '%nextval(%';
    IF FOUND THEN
        RAISE EXCEPTION 'kefu_clone_schema: % has serial defaults; use identity columns', source_schema;
    END IF;

    EXECUTE format('CREATE SCHEMA %I', dest_schema);

    -- 1. Tables (columns, defaults, identity, generated columns), then their rows.
    FOR rel IN
        SELECT c.oid, c.relname FROM pg_class c
        WHERE c.relnamespace = source_oid AND c.relkind = 'r'
        ORDER BY c.relname
    LOOP
        EXECUTE format(
            'CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING IDENTITY '
            'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)',
            dest_schema, rel.relname, source_schema, rel.relname);

        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO column_list
        FROM pg_attribute a
        WHERE a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
        EXECUTE format(
            'INSERT INTO %I.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %I.%I',
            dest_schema, rel.relname, column_list, column_list, source_schema, rel.relname);

        -- Identity sequences continue where the source's stand.
        FOR item IN
            SELECT a.attname FROM pg_attribute a
            WHERE a.attrelid = rel.oid AND a.attidentity <> '' AND NOT a.attisdropped
        LOOP
            EXECUTE format(
                'SELECT setval(pg_get_serial_sequence(%L, %L), last_value, is_called) FROM %s',
                format('%I.%I', dest_schema, rel.relname), item.attname,
                pg_get_serial_sequence(format('%I.%I', source_schema, rel.relname), item.attname));
        END LOOP;
    END LOOP;

    -- 2. Read every constraint, index and trigger definition with the source schema as the
    --    search path, so names inside them print unqualified and resolve to the copy later.
    PERFORM set_config('search_path', format('%I', source_schema), true);

    -- Primary keys, unique, check and exclusion constraints (keeping their names).
    FOR item IN
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE c.relnamespace = source_oid AND con.contype IN ('p', 'u', 'c', 'x')
        ORDER BY (con.contype <> 'p'), c.relname, con.conname
    LOOP
        ddl := ddl || format('ALTER TABLE %I ADD CONSTRAINT %I %s',
                             item.relname, item.conname, item.definition);
    END LOOP;

    -- Indexes that do not belong to a constraint.
    FOR item IN
        SELECT pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relnamespace = source_oid
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                                                             AND con.conrelid = i.indrelid
                                                             AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1
    LOOP
        -- pg_get_indexdef always qualifies the table; point it at the copy.
        ddl := ddl || replace(item.definition,
                              ' ON ' || quote_ident(source_schema) || '.',
                              ' ON ' || quote_ident(dest_schema) || '.');
    END LOOP;

    -- Foreign keys last: every referenced key exists by now.
    FOR item IN
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE c.relnamespace = source_oid AND con.contype = 'f'
        ORDER BY c.relname, con.conname
    LOOP
        ddl := ddl || format('ALTER TABLE %I ADD CONSTRAINT %I %s',
                             item.relname, item.conname, item.definition);
    END LOOP;

    FOR item IN
        SELECT pg_get_triggerdef(t.oid, true) AS definition
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = source_oid AND NOT t.tgisinternal
        ORDER BY t.tgname
    LOOP
        ddl := ddl || replace(item.definition,
                              ' ON ' || quote_ident(source_schema) || '.',
                              ' ON ' || quote_ident(dest_schema) || '.');
    END LOOP;

    PERFORM set_config('search_path', format('%I, public', dest_schema), true);
    FOREACH statement IN ARRAY ddl LOOP
        EXECUTE statement;
    END LOOP;

    PERFORM set_config('search_path', saved_search_path, true);
END;
$function$;
