package dev.jobline.reconcile;

import dev.jobline.store.JobStore.ScannedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which scanned jobs a reconciliation sends again: a QUEUED or RUNNING job whose message should have brought it to a
 * worker long ago, and that no other mechanism looks after. The queue carries every QUEUED and RUNNING job, so such a
 * job's message was lost to something Jobline did not do (a purged queue, a message deleted by hand).
 *
 * <ul>
 *   <li>not sent again: terminal and WAITING jobs (no message is due), jobs in the sweeper's in-flight index (it sends
 *   them when due), QUEUED jobs of a paused type (the workers hold their messages);</li>
 *   <li>QUEUED: stale {@code queuedStaleAfter} after the latest of its last write, its queuing, its retry's end and its
 *   runAt;</li>
 *   <li>RUNNING: stale {@code redeliveryGrace} after its lease's end: its own message had its chance to come back.</li>
 * </ul>
 * A duplicate message is harmless (the claim is conditional), so the rule errs on the side of sending.
 *
 * @param redeliveryGrace visibility - lease (when a crashed attempt's message returns after its lease) and a margin
 */
public record StaleRule(Duration queuedStaleAfter, Duration redeliveryGrace) {

    public boolean resend(ScannedJob job, Instant now, Set<String> pausedTypes) {
        return resend(job, now, pausedTypes, now.minus(queuedStaleAfter));
    }

    /**
     * As {@link #resend(ScannedJob, Instant, Set)}, with a QUEUED job stale when the latest of its times is before
     * {@code queuedBefore}: an operator's run after a purge counts every job queued before it started as lost.
     */
    public boolean resend(ScannedJob job, Instant now, Set<String> pausedTypes, Instant queuedBefore) {
        if (job.inSweeperIndex()) {
            return false;
        }
        return switch (job.status()) {
            case QUEUED -> !pausedTypes.contains(job.type()) && latest(job.updatedAt(), job.queuedAt(),
                    job.nextAttemptAt(), job.runAt()).isBefore(queuedBefore);
            case RUNNING -> now.isAfter(latest(job.leaseExpiresAt(), job.leaseExpiresAt() == null ? job.updatedAt() : null)
                    .plus(redeliveryGrace));
            default -> false;
        };
    }

    private static Instant latest(Instant... times) {
        return Stream.of(times).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(Instant.EPOCH);
    }
}
