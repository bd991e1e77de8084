package dev.jobline.store;

import dev.jobline.job.JobKey;
import java.time.Instant;
import java.util.List;

/**
 * Concurrency keys: a tenant's key is held by one job at a time, taken by a conditional write and given back by
 * another. A key is held until its holder gives it back or its time runs out, whichever comes first.
 */
public interface KeyStore {

    /**
     * What a take found: the key is now the job's, was the job's already, or is another job's ({@code holder}, which
     * took it at {@code takenAt}).
     */
    record Taken(boolean now, String holder, Instant takenAt) {
        public static final Taken NOW = new Taken(true, null, null);
        public static final Taken ALREADY = new Taken(false, null, null);

        public boolean byAnother() {
            return holder != null;
        }
    }

    /** Takes the key for {@code jobId} at {@code now} (a key whose time ran out is free). */
    Taken take(String tenantId, JobKey key, String jobId, Instant now);

    /** Takes the key over from {@code fromJobId}, which holds it but no longer needs it (it ended, or is gone). */
    boolean takeOver(String tenantId, JobKey key, String fromJobId, String jobId, Instant now);

    /** Gives the key back if {@code jobId} holds it; nothing otherwise. */
    void giveBack(String tenantId, String key, String jobId);

    /** A held key: whose, which, held by which job since when, until when. */
    record HeldKey(String tenantId, String key, String holder, Instant takenAt, Instant heldUntil) {
    }

    /** Every key held in one shard of the in-flight index (keys are there while held). */
    List<HeldKey> held(int shard);
}
