"""Which steps may not run side by side when runs of several organisations run at once.

Under the daemon's run queue (deploy/dagster.yaml) runs of different organisations run in
parallel, one at a time per organisation. Their period snapshots are separate files, but the
linked history (``history/data.parquet``) and the per-org tables derived from it are rebuilt from
*every* organisation's snapshots. Two such steps side by side could let the one that read fewer
snapshots write last. In one pool with a limit of 1, each history step starts after the one
before it ended, so it reads every snapshot committed before it: the last one written is
complete. The limit is instance state: ``./run serve-dagster`` sets it; the embedded default
(one process, no limit set) is unaffected.
"""

LAKE_HISTORY_POOL = "followup_lake_history"
LAKE_HISTORY_POOL_LIMIT = 1
