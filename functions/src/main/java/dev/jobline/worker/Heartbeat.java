package dev.jobline.worker;

import dev.jobline.job.Job;
import dev.jobline.job.Progress;
import dev.jobline.log.Log;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps one running attempt alive: extends the job's lease and its message's visibility every
 * {@link WorkerSettings#heartbeat()}, writes progress at most once per {@link WorkerSettings#progressEvery()},
 * and brings back the cancel flag. If the lease turns out to be lost, the attempt is told to stop.
 */
final class Heartbeat implements AutoCloseable {
    private final JobStore store;
    private final JobQueue queue;
    private final Clock clock;
    private final WorkerSettings settings;
    private final RunningJob running;
    private final ReceivedMessage message;
    private final Runnable onLeaseLost;
    private final Consumer<Lease> onExtended;
    private final Map<String, Object> logContext;
    private final ScheduledFuture<?> ticks;
    private Lease lease;
    private Instant lastExtended;
    private Instant lastWritten;
    private Progress written;
    private int writes;
    private int extensions;

    Heartbeat(ScheduledExecutorService scheduler, JobStore store, JobQueue queue, Clock clock, WorkerSettings settings,
              RunningJob running, Lease lease, ReceivedMessage message, Runnable onLeaseLost, Consumer<Lease> onExtended) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
        this.settings = settings;
        this.running = running;
        this.lease = lease;
        this.message = message;
        this.onLeaseLost = onLeaseLost;
        this.onExtended = onExtended;
        this.logContext = Log.context();
        this.lastExtended = clock.instant();
        this.lastWritten = lastExtended;
        long tickMillis = Math.max(50, Math.min(settings.progressEvery().toMillis(), settings.heartbeat().toMillis()));
        this.ticks = scheduler.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** Heartbeat writes that held: each one a DynamoDB write, priced into the attempt. */
    synchronized int writes() {
        return writes;
    }

    /** Of those, the ones that also extended the message's visibility (an SQS call each). */
    synchronized int extensions() {
        return extensions;
    }

    /** The lease the attempt holds now (heartbeats move its expiry). */
    synchronized Lease lease() {
        return lease;
    }

    private synchronized void tick() {
        Log.restoreContext(logContext);
        try {
            Instant now = clock.instant();
            boolean extend = !now.isBefore(lastExtended.plus(settings.heartbeat()));
            Progress progress = running.latestProgress();
            boolean writeProgress = progress != null && !progress.equals(written)
                    && !now.isBefore(lastWritten.plus(settings.progressEvery()));
            if (!extend && !writeProgress) {
                return;
            }
            Lease next = extend ? new Lease(lease.owner(), now.plus(settings.lease())) : lease;
            Optional<Job> current = store.heartbeat(running.jobId(), next, writeProgress ? progress : null, now);
            if (current.isEmpty()) {
                Log.warn("job.lease_lost", "jobId", running.jobId());
                ticks.cancel(false);
                onLeaseLost.run();
                return;
            }
            writes++;
            lease = next;
            lastWritten = now;
            if (writeProgress) {
                written = progress;
            }
            running.cancelRequested(current.get().cancelRequested());
            if (extend) {
                onExtended.accept(next);
                // hidden past the new lease's end, so that if this worker dies the message returns to a lease that is over
                queue.hide(message, settings.visibility());
                extensions++;
                lastExtended = now;
            }
        } catch (RuntimeException e) {
            // a missed heartbeat is survivable: the lease still has two thirds of its time
            Log.warn("job.heartbeat_failed", "jobId", running.jobId(), "reason", e.getMessage());
        } finally {
            Log.clearContext();
        }
    }

    @Override
    public void close() {
        ticks.cancel(false);
        synchronized (this) {
            // waits for a tick in progress, so no heartbeat write races the completion
        }
    }
}
