package dev.jobline.store;

import java.time.Instant;

/**
 * One reconciliation run (dev.jobline.reconcile), kept in one item of the jobs table: the active run, or the last one.
 * {@code version} is one more on every write, and every write is conditional on the version it read: two sweeper
 * invocations never both advance one cursor. {@code heldUntil}: an invocation is reading the table for this run until
 * then. {@code tally}: the pass's counts so far, as the reconciliation writes them (JSON).
 */
public record ReconcileRun(String runId, Status status, Trigger trigger, Instant startedAt, Instant scanEndedAt,
                           Instant finishedAt, String cursor, long itemsRead, double readUnits, long resent, int tenantsCorrected,
                           long version, Instant heldUntil, String tally) {

    /** RUNNING until the scan has ended and the counts are corrected; then DONE. */
    public enum Status { RUNNING, DONE }

    /** Who started it: the daily rule, or an operator's POST /admin/reconcile. */
    public enum Trigger {
        SCHEDULE, ADMIN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean running() {
        return status == Status.RUNNING;
    }

    /** The same run as the next write will store it: one version more. */
    public ReconcileRun next(String newCursor, long newItemsRead, double newReadUnits, long newResent, Instant newHeldUntil,
                             Instant newScanEndedAt, String newTally) {
        return new ReconcileRun(runId, status, trigger, startedAt, newScanEndedAt, finishedAt, newCursor, newItemsRead,
                newReadUnits, newResent, tenantsCorrected, version + 1, newHeldUntil, newTally);
    }

    /** The run ended: counts corrected, nothing held; the tally is no longer needed. */
    public ReconcileRun done(int corrected, Instant now) {
        return new ReconcileRun(runId, Status.DONE, trigger, startedAt, scanEndedAt, now, null, itemsRead, readUnits, resent,
                corrected, version + 1, null, null);
    }
}
