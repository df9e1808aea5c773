-- Figures of the Airflow metadata database for Prometheus, read by the PostgreSQL exporter
-- (role postgres, postgres_exporter_databases; queries in metadata.queries.yml).
--
-- The role runs this as the database's owner, in the schema metrics that it makes for it, and
-- gives the exporter's role EXECUTE on these functions only: SECURITY DEFINER lets them read
-- Airflow's tables, which the exporter's role cannot. Each returns no rows until `airflow db
-- migrate` has made its tables. Airflow 3's tables: job, task_instance, dag_run.

-- The newest heartbeat of a running scheduler (0 when none runs), and how many run.
CREATE FUNCTION metrics.scheduler()
RETURNS TABLE (heartbeat_timestamp_seconds double precision, running bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF to_regclass('public.job') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT coalesce(extract(epoch FROM max(j.latest_heartbeat)), 0)::double precision,
               count(*)
          FROM job j
         WHERE j.job_type = 'SchedulerJob' AND j.state = 'running';
END
$$;

-- Queued and running task instances per Celery queue. Every queue that any task instance
-- names is listed, idle ones with 0, so that "nothing to do" is a value and not a gap.
CREATE FUNCTION metrics.queue_tasks()
RETURNS TABLE (queue text, state text, tasks bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('public.task_instance') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT q.queue::text, s.state, count(ti.id)
          FROM (SELECT DISTINCT t.queue FROM task_instance t) q
         CROSS JOIN (VALUES ('queued'), ('running')) s (state)
          LEFT JOIN task_instance ti ON ti.queue = q.queue AND ti.state = s.state
         GROUP BY q.queue, s.state;
END
$$;

-- Per DAG: failed runs and failed task instances (as kept: the latest try of each), the end of
-- the newest successful run (0 when none), and whether the newest finished run failed.
CREATE FUNCTION metrics.dags()
RETURNS TABLE (
    dag_id text,
    failed_runs bigint,
    failed_task_instances bigint,
    last_success_timestamp_seconds double precision,
    latest_run_failed double precision
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('public.dag_run') IS NULL OR to_regclass('public.task_instance') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        WITH runs AS (
            SELECT r.dag_id,
                   count(*) FILTER (WHERE r.state = 'failed') AS failed,
                   max(r.end_date) FILTER (WHERE r.state = 'success') AS last_success
              FROM dag_run r
             GROUP BY r.dag_id
        ), latest AS (
            SELECT DISTINCT ON (r.dag_id) r.dag_id, r.state
              FROM dag_run r
             WHERE r.state IN ('success', 'failed')
             ORDER BY r.dag_id, r.end_date DESC NULLS LAST, r.id DESC
        ), tasks AS (
            SELECT t.dag_id, count(*) AS failed
              FROM task_instance t
             WHERE t.state = 'failed'
             GROUP BY t.dag_id
        )
        SELECT runs.dag_id::text,
               runs.failed,
               coalesce(tasks.failed, 0),
               coalesce(extract(epoch FROM runs.last_success), 0)::double precision,
               CASE WHEN latest.state = 'failed' THEN 1 ELSE 0 END::double precision
          FROM runs
          LEFT JOIN latest ON latest.dag_id = runs.dag_id
          LEFT JOIN tasks ON tasks.dag_id = runs.dag_id;
END
$$;
