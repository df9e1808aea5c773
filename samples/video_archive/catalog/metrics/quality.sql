-- The catalog's data-quality figures for Prometheus, read by the PostgreSQL exporter (role
-- postgres, postgres_exporter_databases; queries in quality.queries.yml).
--
-- The role runs this as the catalog's owner, in the schema metrics that it makes for it, and
-- gives the exporter's role EXECUTE on these functions only: SECURITY DEFINER lets them read
-- the catalog, which the exporter's role cannot. Each returns no rows until the archive's
-- migrations have made its tables.

-- Assets by state; every state is listed, with 0 when none is in it.
CREATE FUNCTION metrics.assets()
RETURNS TABLE (status text, assets bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('public.assets') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT s.status, count(a.id)
          FROM (VALUES ('registered'), ('probed'), ('quarantined')) s (status)
          LEFT JOIN assets a ON a.status = s.status
         GROUP BY s.status;
END
$$;

-- Quarantined assets by kind of reason. The reasons are free text (a probe's or ffmpeg's own
-- words), so they are put into a few kinds here: a label keeps a bounded set of values.
CREATE FUNCTION metrics.quarantine_reasons()
RETURNS TABLE (reason text, assets bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('public.assets') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT k.reason, count(*)
          FROM assets a
         CROSS JOIN LATERAL (SELECT CASE
                WHEN a.quarantine_reason LIKE 'empty file%' THEN 'empty'
                WHEN a.quarantine_reason LIKE 'probe exceeded%' THEN 'probe_timeout'
                WHEN a.quarantine_reason LIKE 'a still image%'
                  OR a.quarantine_reason LIKE 'no video stream%'
                  OR a.quarantine_reason LIKE 'video stream % has no frame size' THEN 'not_a_video'
                WHEN a.quarantine_reason LIKE 'derivation interrupted%' THEN 'interrupted'
                WHEN a.quarantine_reason ILIKE '%timed out%'
                  OR a.quarantine_reason ILIKE '%exceeded%' THEN 'derive_timeout'
                ELSE 'unreadable'
            END AS reason) k
         WHERE a.status = 'quarantined'
         GROUP BY k.reason;
END
$$;

-- Probed assets that lack something a person expects: an audio track, or (once derivation
-- has run on them) a poster.
CREATE FUNCTION metrics.gaps()
RETURNS TABLE (missing text, assets bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF to_regclass('public.assets') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT 'audio'::text, count(*) FROM assets a
         WHERE a.status = 'probed' AND a.audio_codec IS NULL
        UNION ALL
        SELECT 'poster'::text, count(*) FROM assets a
         WHERE a.status = 'probed' AND a.derived_at IS NOT NULL AND a.poster_path IS NULL;
END
$$;

-- The newest finished scan (bronze run) of each source: files seen, probed and quarantined
-- by it, the files it could not read, and when it finished.
CREATE FUNCTION metrics.scans()
RETURNS TABLE (
    source text,
    seen double precision,
    probed double precision,
    quarantined double precision,
    errors double precision,
    finished_timestamp_seconds double precision
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF to_regclass('public.runs') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT DISTINCT ON (r.source_name)
               coalesce(r.source_name, '')::text,
               coalesce((r.counts ->> 'seen')::double precision, 0),
               coalesce((r.counts ->> 'probed')::double precision, 0),
               coalesce((r.counts ->> 'quarantined')::double precision, 0),
               jsonb_array_length(r.errors)::double precision,
               extract(epoch FROM r.finished_at)::double precision
          FROM runs r
         WHERE r.layer = 'bronze' AND r.finished_at IS NOT NULL
         ORDER BY r.source_name, r.finished_at DESC, r.id DESC;
END
$$;
