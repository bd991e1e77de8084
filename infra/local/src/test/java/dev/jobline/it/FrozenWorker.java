package dev.jobline.it;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.config.Config;
import dev.jobline.iam.CheckedClients;
import dev.jobline.lifecycle.RunningLimits;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.DynamoLimitStore;
import dev.jobline.store.JobStore;
import dev.jobline.worker.Worker;
import dev.jobline.worker.WorkerHandler;
import dev.jobline.worker.WorkerSettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker environment that can be frozen, as a process stopped with SIGSTOP is: while frozen, none of its writes to
 * the table reaches it (heartbeats and completions wait), and a handler that asks {@link #awaitThaw()} waits too.
 * Thawed, it carries on from where it stood, with the receipt handles it had. Its queue can also be told to refuse
 * visibility changes, as SQS does for a receipt handle that a later receive made stale.
 */
final class FrozenWorker {
    /** What a stopped process would not get done: its writes under the lease. */
    private static final Set<String> FROZEN_WRITES = Set.of("heartbeat", "succeed", "fail", "cancelRunning", "awaitRetry");

    private final Jobline jobline;
    private final WorkerHandler handler;
    private final CountDownLatch thawed = new CountDownLatch(1);
    private volatile boolean frozen;
    private volatile boolean refuseVisibility;

    FrozenWorker(Jobline jobline) {
        this(jobline, false);
    }

    /**
     * @param holdingLimits whether its attempts hold the running limits as the template's worker does (on its own
     *                      checked clients): a frozen attempt's holds are then extended by no heartbeat, and run out
     */
    FrozenWorker(Jobline jobline, boolean holdingLimits) {
        this.jobline = jobline;
        Config config = jobline.wiring.config();
        JobStore store = proxy(JobStore.class, jobline.wiring.store(), (name) -> {
            if (frozen && FROZEN_WRITES.contains(name)) {
                awaitThaw();
            }
        });
        JobQueue queue = proxy(JobQueue.class, jobline.wiring.queue(), (name) -> {
            if (refuseVisibility && name.equals("hide")) {
                throw new JobQueue.QueueUnavailable("ReceiptHandleIsInvalid (injected)", null);
            }
        });
        WorkerSettings settings = WorkerSettings.forLease(config.lease(), config.visibility(), config.safetyMargin(),
                config.workerParallelism(), config.maxResultBytes());
        RunningLimits limits = !holdingLimits ? RunningLimits.NONE : new RunningLimits(new DynamoLimitStore(
                new CheckedClients(jobline.aws, jobline.resources, List.of(jobline.faults)).of("WorkerFunction").dynamo(),
                config.tableName()), jobline.wiring.registry(), config.tenantMaxRunning());
        this.handler = new WorkerHandler(new Worker(jobline.wiring.lifecycle().over(store), limits, store, queue,
                jobline.wiring.registry(), settings, new Random(7)));
    }

    /** From now on its writes wait, until {@link #thaw()}. */
    void freeze() {
        frozen = true;
    }

    void thaw() {
        frozen = false;
        thawed.countDown();
    }

    /** From now on every visibility change fails, as with a receipt handle that is no longer the message's latest. */
    void refuseVisibilityChanges() {
        refuseVisibility = true;
    }

    /** For a handler that should stand still while its worker is frozen. */
    void awaitThaw() {
        try {
            if (!thawed.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("never thawed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while frozen", e);
        }
    }

    /** Invokes it with the batch on another thread, then deletes what it did not name as failed (the event source). */
    CompletableFuture<SQSBatchResponse> deliverInBackground(SQSEvent event) {
        return CompletableFuture.supplyAsync(() -> jobline.deliver(handler, event, Duration.ofSeconds(60)));
    }

    private interface BeforeCall {
        void check(String method);
    }

    private static <T> T proxy(Class<T> type, T target, BeforeCall before) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            before.check(method.getName());
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
