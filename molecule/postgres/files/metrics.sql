-- Test figures in the database archive: shots by kind. The table is made by the tests after
-- the converge, as a service's migrations make theirs after the postgres role has run.
CREATE FUNCTION metrics.shots()
RETURNS TABLE (kind text, shots bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('public.shots') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.kind, count(*) FROM shots c GROUP BY c.kind;
END
$$;
