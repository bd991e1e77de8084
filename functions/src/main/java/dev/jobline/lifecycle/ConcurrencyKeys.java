package dev.jobline.lifecycle;

import dev.jobline.job.Job;
import dev.jobline.job.JobKey;
import dev.jobline.job.Refusal;
import dev.jobline.log.Log;
import dev.jobline.store.JobStore;
import dev.jobline.store.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Concurrency keys: at most one job of a tenant holds a key at a time. A job entering QUEUED takes its key before its
 * write (the lifecycle gives it back if the write does not happen); the move that ends what the key's scope covers
 * gives it back (a listener, so every way a job can end does: success, failure, cancel, dead letter, sweeper). A key
 * whose holder no longer needs it (that give-back was lost) is taken over at the next submission that wants it, and
 * given back by the sweeper otherwise; a key also frees itself when its time runs out.
 */
public final class ConcurrencyKeys implements JobListener {
    /** For code without keys: a job with one is refused. */
    public static final ConcurrencyKeys NONE = new ConcurrencyKeys(null, null);
    /** How long a taken key is kept for a holder whose write has not been seen yet. */
    static final Duration WRITE_GRACE = Duration.ofMinutes(1);

    private final KeyStore keys;
    private final JobStore jobs;

    public ConcurrencyKeys(KeyStore keys, JobStore jobs) {
        this.keys = keys;
        this.jobs = jobs;
    }

    /**
     * Takes the job's key for it; {@link Refusal.KeyConflict} naming the job that holds it. True when this call took
     * it (so a write that does not happen gives it back); false for a job without a key, or one that held it already
     * (an idempotent repeat of its own submission).
     */
    boolean take(Job job, Instant now) {
        JobKey key = job.key();
        if (key == null) {
            return false;
        }
        if (keys == null) {
            throw new IllegalStateException("this function has no concurrency keys");
        }
        for (int tries = 0; tries < 3; tries++) {
            KeyStore.Taken taken = keys.take(job.tenantId(), key, job.jobId(), now);
            if (!taken.byAnother()) {
                return taken.now();
            }
            Optional<Job> holding = jobs.find(taken.holder());
            if (needs(holding, taken.takenAt(), now)) {
                // a holder still being written has no status to show yet: the key is in use all the same
                throw new Refusal.KeyConflict(holding.orElse(null), taken.holder(), key.value());
            }
            // its holder ended (or started, for a key held while queued) and the give-back was lost: it is free
            if (keys.takeOver(job.tenantId(), key, taken.holder(), job.jobId(), now)) {
                Log.info("key.taken_over", "jobId", job.jobId(), "from", taken.holder());
                return true;
            }
        }
        throw new IllegalStateException("the concurrency key of job " + job.jobId() + " kept changing hands");
    }

    /**
     * Does the job that took a key at {@code takenAt} need it? Yes while its scope covers its status; and for a
     * minute after the take while its write may still be on its way: a holder not written yet, or an ended one
     * being retried (it took the key after it ended). A holder whose write never came frees the key after that.
     */
    private static boolean needs(Optional<Job> holder, Instant takenAt, Instant now) {
        boolean recent = takenAt != null && takenAt.isAfter(now.minus(WRITE_GRACE));
        if (holder.isEmpty()) {
            return recent;
        }
        Job job = holder.get();
        return stillHolds(job) || recent && job.status().isTerminal() && job.finishedAt() != null && takenAt.isAfter(job.finishedAt());
    }

    /**
     * Gives back the keys of one shard that are held for nothing (the sweeper's part): their time ran out, or their
     * holder no longer needs them (the give-back at its end was lost) or never came to be. How many were.
     */
    public int giveBackStale(int shard, Instant now) {
        if (keys == null) {
            return 0;
        }
        int freed = 0;
        for (KeyStore.HeldKey held : keys.held(shard)) {
            boolean stale = held.heldUntil().isBefore(now) || !needs(jobs.find(held.holder()), held.takenAt(), now);
            if (stale) {
                keys.giveBack(held.tenantId(), held.key(), held.holder());
                Log.info("key.given_back", "tenantId", held.tenantId(), "jobId", held.holder(),
                        "reason", held.heldUntil().isBefore(now) ? "its time ran out" : "its holder no longer needs it");
                freed++;
            }
        }
        return freed;
    }

    /** Gives back the key taken for a job whose write did not happen. */
    void giveBack(Job job) {
        if (job.key() != null && keys != null) {
            keys.giveBack(job.tenantId(), job.key().value(), job.jobId());
        }
    }

    /** Does this job still need the key it holds (its scope covers its status)? */
    public static boolean stillHolds(Job job) {
        return job.key() != null && job.key().scope().heldIn(job.status());
    }

    @Override
    public void moved(JobMoved event) {
        Job job = event.job();
        if (event.recounted() || job.key() == null || keys == null) {
            return;
        }
        boolean heldBefore = event.from() == null || job.key().scope().heldIn(event.from());
        if (heldBefore && !job.key().scope().heldIn(event.to())) {
            keys.giveBack(job.tenantId(), job.key().value(), job.jobId());
        }
    }
}
