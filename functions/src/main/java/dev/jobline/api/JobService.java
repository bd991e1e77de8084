package dev.jobline.api;

import dev.jobline.cost.CostModel;
import dev.jobline.cost.CostTotals;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.Chains;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.SqsLimits;
import dev.jobline.store.JobFilter;
import dev.jobline.store.JobStore;
import java.util.function.Predicate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a tenant can do with jobs: submit (one or many), read, list, cancel, retry. Every change is a transition of
 * the {@link JobLifecycle}; refusals are {@link Refusal}s, which only the API turns into answers. A job's message is
 * sent first and the job written after it, so a QUEUED job always has one: a send that fails writes nothing (the
 * caller gets a 503 and submits again), and a message whose write then fails names a job that does not exist, which
 * the worker drops. Every write names the tenant, so one tenant's request can never touch another's job.
 */
public final class JobService {
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final JobQueue queue;
    private final Chains chains;

    /** Without a chains listener in {@code lifecycle}: a dependent job is decided at its submission only. */
    public JobService(JobLifecycle lifecycle, JobStore store, JobQueue queue) {
        this(lifecycle, store, queue, new Chains(store, queue).bind(lifecycle));
    }

    /** @param chains the listener registered in {@code lifecycle}, which releases dependent jobs */
    public JobService(JobLifecycle lifecycle, JobStore store, JobQueue queue, Chains chains) {
        this.lifecycle = lifecycle;
        this.store = store;
        this.queue = queue;
        this.chains = chains;
    }

    /**
     * A submission's outcome: the job, and whether this call created it (false: a repeat of an earlier submission
     * with the same Idempotency-Key, or, with {@code keyHolder}, the job that holds the concurrency key).
     */
    record Submitted(Job job, boolean created, boolean keyHolder) {
        Submitted(Job job, boolean created) {
            this(job, created, false);
        }

        /** What the Jobline-Submit-Outcome header says: created, repeated, or existing. */
        String outcome() {
            return created ? "created" : keyHolder ? "existing" : "repeated";
        }
    }

    /**
     * Writes and sends a new job. With an idempotency key, a job already under the derived id is either this same
     * request repeated within the window (returned as it is), a different request ({@link Refusal.IdempotencyConflict}),
     * or an old finished one whose window has passed (replaced). Whatever is refused gives back the room it took.
     */
    Submitted submit(String tenantId, SubmitRequest request, String idempotencyKey) {
        Instant now = lifecycle.clock().instant();
        JobCost cost = CostModel.submit(1);
        Job job = newJob(tenantId, request, idempotencyKey, now).withCost(CostTotals.of(cost));
        if (!request.dependsOn().isEmpty()) {
            // checked, and named on its unfinished parents, before it is written: a parent's end then finds it
            job = chains.link(job, request.dependsOn());
        }
        Optional<Job> created;
        Job toSend = job;
        try {
            created = lifecycle.create(job, cost, () -> sendFirst(toSend, now));
        } catch (Refusal.KeyConflict conflict) {
            // the Idempotency-Key is checked first: with its job stored, this is that job's request again (or a
            // reuse), whatever holds the concurrency key now
            if (idempotencyKey == null || store.find(job.jobId()).isEmpty()) {
                return keyHolder(conflict, request);
            }
            created = Optional.empty();
        }
        if (created.isEmpty()) {
            if (idempotencyKey == null) {
                throw new IllegalStateException("job id " + job.jobId() + " is already taken");
            }
            Optional<Job> repeat;
            try {
                repeat = repeatOrReplaced(job, cost, now);
            } catch (Refusal.KeyConflict conflict) {
                // a new job in place of an old finished one meets the key as any other new job does
                return keyHolder(conflict, request);
            }
            if (repeat.isPresent()) {
                return new Submitted(repeat.get(), false);
            }
        }
        if (job.status() == JobStatus.WAITING) {
            // a parent may have ended between its check and the naming, unheard: decide now, as its end would have
            return new Submitted(chains.decide(job, Chains.Decider.PARENT_END).job(), true);
        }
        return new Submitted(job, true);
    }

    /** The job that holds the key, for onConflict returnExisting; else the conflict. */
    private Submitted keyHolder(Refusal.KeyConflict conflict, SubmitRequest request) {
        Optional<Job> existing = request.returnExisting() ? existing(conflict) : Optional.empty();
        return new Submitted(existing.orElseThrow(() -> conflict), false, true);
    }

    /** The job an idempotency key created earlier, when this is the same request; empty when it was replaced now. */
    private Optional<Job> repeatOrReplaced(Job job, JobCost cost, Instant now) {
        Job existing = store.find(job.jobId()).orElseThrow(() -> new IllegalStateException("job " + job.jobId() + " vanished"));
        Instant windowStart = now.minus(Idempotency.WINDOW);
        if (existing.createdAt().isAfter(windowStart)) {
            if (job.requestHash().equals(existing.requestHash())) {
                return Optional.of(existing);
            }
            throw new Refusal.IdempotencyConflict(false);
        }
        if (lifecycle.replaceFinished(job, windowStart, cost, () -> sendFirst(job, now)).isPresent()) {
            return Optional.empty();
        }
        throw new Refusal.IdempotencyConflict(true);
    }

    /**
     * The job that holds a conflicting key, for onConflict returnExisting: as read, or, when its own submission was
     * still being written, read again for up to a second (empty if it still is not there: never an id not stored).
     */
    private Optional<Job> existing(Refusal.KeyConflict conflict) {
        if (conflict.holder() != null) {
            return Optional.of(conflict.holder());
        }
        for (int tries = 0; tries < 5; tries++) {
            Optional<Job> holder = store.find(conflict.holderId());
            if (holder.isPresent()) {
                return holder;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * One item of a batch: its job, or why it was kept out (a problem of its own, or not stored). {@code existing}: the
     * job is another one, which holds the item's concurrency key (asked for with onConflict returnExisting).
     */
    record BatchItem(Job job, Problem problem, boolean existing) {
        BatchItem(Job job, Problem problem) {
            this(job, problem, false);
        }
    }

    /** Stores every valid item, then sends them in as few calls as SQS allows; one bad item sinks nothing else. */
    List<BatchItem> submitAll(String tenantId, List<Object> items, java.util.function.Function<Object, SubmitRequest> parse) {
        Instant now = lifecycle.clock().instant();
        List<BatchItem> results = new ArrayList<>(items.size());
        List<Job> valid = new ArrayList<>();
        List<SubmitRequest> requests = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (Object item : items) {
            try {
                SubmitRequest request = parse.apply(item);
                positions.add(results.size());
                valid.add(newJob(tenantId, request, null, now));
                requests.add(request);
                results.add(null);
            } catch (Problem problem) {
                results.add(new BatchItem(null, problem));
            }
        }
        if (valid.isEmpty()) {
            return results;
        }
        JobCost cost = CostModel.submit(valid.size());
        List<Job> priced = new ArrayList<>(valid.size());
        for (Job job : valid) {
            priced.add(job.withCost(CostTotals.of(cost)));
        }
        List<JobLifecycle.Admitted> written = lifecycle.createAll(tenantId, priced, cost, jobsToSend -> sendAll(jobsToSend, now));
        int accepted = 0;
        for (int k = 0; k < written.size(); k++) {
            JobLifecycle.Admitted admitted = written.get(k);
            BatchItem result;
            if (admitted.job() != null) {
                result = new BatchItem(admitted.job(), null);
                accepted++;
            } else if (admitted.conflict() != null) {
                Optional<Job> existing = requests.get(k).returnExisting() ? existing(admitted.conflict()) : Optional.empty();
                result = existing.map(holder -> new BatchItem(holder, null, true))
                        .orElseGet(() -> new BatchItem(null, Problems.of(admitted.conflict())));
            } else {
                result = new BatchItem(null, new Problem(503, "service-unavailable", "Service unavailable",
                        "this job could not be stored; submit it again"));
            }
            results.set(positions.get(k), result);
        }
        Log.info("jobs.submitted_batch", "tenantId", tenantId, "accepted", accepted, "items", items.size());
        return results;
    }

    /** The messages of jobs about to be written, in as few calls as SQS allows; answers the jobs whose send failed. */
    private List<Job> sendAll(List<Job> jobs, Instant now) {
        Map<String, Job> byId = new HashMap<>();
        List<JobMessage> messages = new ArrayList<>();
        for (Job job : jobs) {
            Optional<JobMessage> message = messageFor(job, now);
            if (message.isPresent()) {
                byId.put(job.jobId(), job);
                messages.add(message.get());
            }
        }
        List<Job> unsent = new ArrayList<>();
        for (JobMessage message : messages.isEmpty() ? List.<JobMessage>of() : queue.sendAll(messages)) {
            unsent.add(byId.get(message.jobId()));
        }
        return unsent;
    }

    /**
     * A batch flow: items that name each other ({@code ref}, and {@code "ref:<name>"} in {@code dependsOn}), stored all
     * or nothing. Everything is checked before anything is written: every item (a {@link Problem} naming the first bad
     * one), the refs (each named once, each named one existing), cycles (refused), the job ids it depends on outside the
     * batch (as a single submission's), the tenant's room for all of them. Then every job is written WAITING, a job's
     * dependents before it, so a job exists only once all that depends on it does; the flow's first jobs (no parent in
     * the batch) say that the flow is pending, and only this submission releases them, after the last write. A
     * submission that stops half-way (the function dies) leaves jobs the sweeper cancels: a pending first job, or a
     * job whose parent was never written. A write that fails ends what was written at once ({@link JobLifecycle#createFlow}).
     *
     * @return the items' jobs, in the items' order, as they are after the release
     */
    List<BatchItem> submitFlow(String tenantId, List<Object> items, java.util.function.Function<Object, SubmitRequest> parse) {
        Instant now = lifecycle.clock().instant();
        int count = items.size();
        List<SubmitRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                requests.add(parse.apply(items.get(i)));
            } catch (Problem problem) {
                throw problem.atItem(i);
            }
            if (requests.get(i).runAt() != null || requests.get(i).delaySeconds() > 0) {
                // a flow's first jobs start when it is stored, the others when their parents have succeeded
                throw Problem.badRequest("invalid-field", "a batch flow's jobs take no runAt or delaySeconds").with("field", "runAt").atItem(i);
            }
        }
        java.util.Map<String, Integer> refs = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            String ref = requests.get(i).ref();
            if (ref != null && refs.putIfAbsent(ref, i) != null) {
                throw Problem.badRequest("duplicate-ref", "the ref '" + ref + "' names item " + refs.get(ref) + " already")
                        .with("field", "ref").atItem(i);
            }
        }
        List<List<Integer>> parentItems = new ArrayList<>(count);
        List<List<Integer>> childItems = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            childItems.add(new ArrayList<>());
        }
        java.util.Set<String> outside = new java.util.LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            List<Integer> parents = new ArrayList<>();
            for (String entry : requests.get(i).dependsOn()) {
                if (!entry.startsWith(SubmitRequest.REF_PREFIX)) {
                    outside.add(entry);
                    continue;
                }
                Integer parent = refs.get(entry.substring(SubmitRequest.REF_PREFIX.length()));
                if (parent == null) {
                    throw Problem.badRequest("unknown-ref", "dependsOn names '" + entry + "', which no item of the batch has as its ref")
                            .with("field", "dependsOn").atItem(i);
                }
                parents.add(parent);
                childItems.get(parent).add(i);
            }
            parentItems.add(parents);
        }
        List<Integer> order = topologicalOrder(parentItems, childItems);
        if (order.size() < count) {
            List<Object> inCycle = new ArrayList<>();
            java.util.Set<Integer> ordered = new java.util.HashSet<>(order);
            for (int i = 0; i < count; i++) {
                if (!ordered.contains(i)) {
                    inCycle.add(requests.get(i).ref() != null ? requests.get(i).ref() : i);
                }
            }
            throw new Problem(422, "dependency-cycle", "The flow's jobs depend on each other in a cycle",
                    "these items wait for each other, so none of them could ever run: " + inCycle)
                    .with("field", "dependsOn").with("items", inCycle);
        }
        java.util.Map<String, Job> outsideParents = outside.isEmpty() ? java.util.Map.of() : checkedOutside(tenantId, outside, requests);
        JobCost cost = CostModel.submit(count);
        List<Job> jobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            jobs.add(newJob(tenantId, requests.get(i), null, now).withCost(CostTotals.of(cost)));
        }
        for (int i = 0; i < count; i++) {
            List<String> parents = new ArrayList<>();
            for (String entry : requests.get(i).dependsOn()) {
                parents.add(entry.startsWith(SubmitRequest.REF_PREFIX)
                        ? jobs.get(refs.get(entry.substring(SubmitRequest.REF_PREFIX.length()))).jobId() : entry);
            }
            List<String> children = childItems.get(i).stream().map(child -> jobs.get(child).jobId()).toList();
            jobs.set(i, jobs.get(i).withDependencies(parents, children, true, parentItems.get(i).isEmpty()));
        }
        for (int i = 0; i < count; i++) {
            for (String entry : requests.get(i).dependsOn()) {
                if (!entry.startsWith(SubmitRequest.REF_PREFIX) && outsideParents.get(entry).status() != JobStatus.SUCCEEDED) {
                    try {
                        chains.nameOn(entry, jobs.get(i));
                    } catch (Refusal.BadDependency bad) {
                        throw bad.atItem(i);
                    }
                }
            }
        }
        List<Job> writeOrder = new ArrayList<>(count);
        for (int k = order.size() - 1; k >= 0; k--) {
            writeOrder.add(jobs.get(order.get(k)));   // dependents first
        }
        try {
            lifecycle.createFlow(tenantId, writeOrder, cost);
        } catch (Refusal.KeyConflict conflict) {
            // the item whose key was held is the first in write order that was not stored (those before it were, and ended)
            int item = writeOrder.stream().filter(job -> store.find(job.jobId()).isEmpty()).findFirst()
                    .map(jobs::indexOf).orElse(0);
            throw Problems.of(conflict).atItem(item);
        }
        // the flow is stored whole: release its first jobs
        for (int i = 0; i < count; i++) {
            if (parentItems.get(i).isEmpty()) {
                Chains.Decided decided = chains.decide(jobs.get(i), Chains.Decider.FLOW_COMMIT);
                if (decided.decision() == Chains.Decision.WAITING && store.endFlowPending(jobs.get(i).jobId(), now)) {
                    // it waits for jobs outside the flow: from now on their ends release it (one may have ended meanwhile)
                    store.find(jobs.get(i).jobId()).ifPresent(job -> chains.decide(job, Chains.Decider.PARENT_END));
                }
            }
        }
        java.util.Map<String, Job> stored = new java.util.HashMap<>();
        for (Job job : store.findAll(jobs.stream().map(Job::jobId).toList())) {
            stored.put(job.jobId(), job);
        }
        List<BatchItem> results = new ArrayList<>(count);
        for (Job job : jobs) {
            results.add(new BatchItem(stored.getOrDefault(job.jobId(), job), null));
        }
        Log.info("jobs.submitted_flow", "tenantId", tenantId, "jobs", count);
        return results;
    }

    /** The flow's jobs outside it, checked as a single submission's dependsOn; a refusal names the first item naming a bad one. */
    private java.util.Map<String, Job> checkedOutside(String tenantId, java.util.Set<String> outside, List<SubmitRequest> requests) {
        try {
            return chains.checked(tenantId, outside);
        } catch (Refusal.BadDependency bad) {
            for (int i = 0; i < requests.size(); i++) {
                if (requests.get(i).dependsOn().contains(bad.parentId())) {
                    throw bad.atItem(i);
                }
            }
            throw bad;
        }
    }

    /** The items, parents before their dependents (Kahn); items in a cycle are left out. */
    private static List<Integer> topologicalOrder(List<List<Integer>> parentItems, List<List<Integer>> childItems) {
        int[] waitingFor = new int[parentItems.size()];
        java.util.ArrayDeque<Integer> ready = new java.util.ArrayDeque<>();
        for (int i = 0; i < parentItems.size(); i++) {
            waitingFor[i] = parentItems.get(i).size();
            if (waitingFor[i] == 0) {
                ready.add(i);
            }
        }
        List<Integer> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            int item = ready.poll();
            order.add(item);
            for (int child : childItems.get(item)) {
                if (--waitingFor[child] == 0) {
                    ready.add(child);
                }
            }
        }
        return order;
    }

    /** The tenant's job; {@link Refusal.NotFound} for another tenant's, as for one that does not exist. */
    Job find(String tenantId, String jobId) {
        return store.find(jobId).filter(job -> job.tenantId().equals(tenantId)).orElseThrow(() -> new Refusal.NotFound(jobId));
    }

    JobStore.JobPage list(String tenantId, Set<JobStatus> statuses, String type, int limit, String cursor) {
        return store.listByTenant(tenantId, statuses, type, limit, cursor);
    }

    /** The tenant's jobs the filter selects, newest first. */
    JobStore.JobPage list(String tenantId, JobFilter filter, int limit, String cursor) {
        return store.list(tenantId, filter, limit, cursor);
    }

    /** The jobs of every tenant that ever submitted one (an operator's view), newest first. */
    JobStore.JobPage listAllTenants(List<String> tenantIds, JobFilter filter, int limit, String cursor) {
        return store.listAcross(tenantIds, filter, limit, cursor);
    }

    /** Any tenant's job, for an operator; {@link Refusal.NotFound} when there is none. */
    Job findAny(String jobId) {
        return store.find(jobId).orElseThrow(() -> new Refusal.NotFound(jobId));
    }

    /**
     * Waits until {@code done} holds for the tenant's job, or {@code wait} has passed; answers the job as it then is.
     * Reads only the job's revision (version and status), every {@link #WAIT_POLL}, consistently: a change is seen
     * within that and a read's time, for about {@code 1 / WAIT_POLL} reads per waiting second.
     */
    Job await(String tenantId, String jobId, Predicate<JobStore.Revision> done, Duration wait) {
        Job job = find(tenantId, jobId);
        if (wait.isZero() || done.test(new JobStore.Revision(job.version(), job.status()))) {
            return job;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return job;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(WAIT_POLL.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return job;
            }
            Optional<JobStore.Revision> now = store.revision(jobId);
            if (now.isEmpty()) {
                throw new Refusal.NotFound(jobId);   // removed by its retention while waited on
            }
            if (done.test(now.get())) {
                return find(tenantId, jobId);
            }
        }
    }

    /** How often a waiting request reads a job's revision. */
    static final Duration WAIT_POLL = Duration.ofMillis(500);

    /** A cancel's outcome: the job as it now is, and whether it ended at once (false: the worker will stop it). */
    record Cancelled(Job job, boolean immediately) {
    }

    /** A WAITING or QUEUED job ends at once; a RUNNING one is asked to stop. {@link Refusal.WrongStatus} when it has ended. */
    Cancelled cancel(String tenantId, String jobId) {
        Job current = find(tenantId, jobId);
        if (current.status() == JobStatus.WAITING) {
            Optional<Job> cancelled = lifecycle.cancelWaiting(current, null, Cause.TENANT);
            if (cancelled.isPresent()) {
                return new Cancelled(cancelled.get(), true);
            }
            current = find(tenantId, jobId);   // released (or ended) meanwhile
        }
        if (current.status() == JobStatus.QUEUED) {
            Optional<Job> cancelled = lifecycle.cancelQueued(jobId, tenantId);
            if (cancelled.isPresent()) {
                return new Cancelled(cancelled.get(), true);
            }
        }
        // not a status change: a flag the running attempt's heartbeat brings back to it
        Optional<Job> flagged = store.requestCancel(jobId, tenantId, lifecycle.clock().instant());
        if (flagged.isPresent()) {
            Log.info("job.cancel_requested", "jobId", jobId, "tenantId", tenantId);
            return new Cancelled(flagged.get(), false);
        }
        Job finished = store.find(jobId).orElse(current);
        throw new Refusal.WrongStatus(jobId, Refusal.Action.CANCEL, finished.status(), "it has ended and cannot be cancelled");
    }

    /** A FAILED or CANCELLED job runs again with a fresh attempt budget; {@link Refusal.WrongStatus} otherwise. */
    Job retry(String tenantId, String jobId) {
        Job current = find(tenantId, jobId);
        return requeue(current, Cause.TENANT);
    }

    /**
     * The retry transition, for a tenant's POST /jobs/{id}/retry and an operator's redrive alike: the job, FAILED or
     * CANCELLED, back to QUEUED (taking room in its tenant's quota), its message sent just before the write.
     */
    Job requeue(Job current, Cause cause) {
        JobStatus before = current.status();
        if (before != JobStatus.FAILED && before != JobStatus.CANCELLED) {
            throw new Refusal.WrongStatus(current.jobId(), Refusal.Action.RETRY, before, "only a failed or cancelled job can be retried");
        }
        // a retried job is due at once (the retry clears its runAt)
        JobMessage message = new JobMessage(current.jobId(), current.tenantId(), current.type(), current.priority())
                .beforeWrite(current.version() + 1);
        return lifecycle.retry(current, cause, () -> queue.send(message)).orElseThrow(() -> new Refusal.WrongStatus(
                current.jobId(), Refusal.Action.RETRY, before, "it changed while it was retried; read it again"));
    }

    /** The job's message, before its write; a send that fails stops the write (the caller answers 503). */
    private void sendFirst(Job job, Instant now) {
        messageFor(job, now).ifPresent(queue::send);
    }

    private static Job newJob(String tenantId, SubmitRequest request, String idempotencyKey, Instant now) {
        String jobId = idempotencyKey == null ? UUID.randomUUID().toString() : Idempotency.jobId(tenantId, idempotencyKey);
        String requestHash = idempotencyKey == null ? null : Idempotency.requestHash(request.canonical());
        // a delay is a runAt relative to now: stored, so the job shows when it will run
        Instant runAt = request.runAt() != null ? request.runAt()
                : request.delaySeconds() > 0 ? now.plusSeconds(request.delaySeconds()) : null;
        Job job = Job.submitted(jobId, tenantId, request.type(), request.payloadJson(), request.maxAttempts(),
                        request.timeoutSeconds(), now)
                .withOptions(request.priority(), runAt, request.callbackUrl(), requestHash);
        return request.key() == null ? job : job.withKey(request.key().heldFrom(now));
    }

    /**
     * The message that wakes a worker, delayed as asked; empty for a job due too late for a queue's delay (the sweeper
     * sends it nearer the time) and for a WAITING one (its release sends it).
     */
    static Optional<JobMessage> messageFor(Job job, Instant now) {
        if (job.status() != JobStatus.QUEUED) {
            return Optional.empty();
        }
        Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : now;
        Duration delay = Duration.between(now, due);
        if (delay.compareTo(SqsLimits.MAX_DELAY) > 0) {
            return Optional.empty();   // the sweeper sends it when it is due
        }
        return Optional.of(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority(),
                delay.isNegative() ? Duration.ZERO : delay));
    }
}
