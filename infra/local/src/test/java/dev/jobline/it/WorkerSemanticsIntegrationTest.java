package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.RetryPolicy;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.worker.Worker;
import dev.jobline.worker.WorkerHandler;
import dev.jobline.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backoff, heartbeats, timeouts, cancellation and batch concurrency, on the real queue and table. */
@ExtendWith(LocalAwsExtension.class)
class WorkerSemanticsIntegrationTest {

    /** Records every visibility change the worker asks for, then makes it for real. */
    private static final class RecordingQueue implements JobQueue {
        final JobQueue real;
        final List<Duration> hides = new ArrayList<>();

        RecordingQueue(JobQueue real) {
            this.real = real;
        }

        @Override
        public void send(JobMessage message) {
            real.send(message);
        }

        @Override
        public synchronized void hide(dev.jobline.queue.ReceivedMessage message, Duration visibility) {
            hides.add(visibility);
            real.hide(message, visibility);
        }

        @Override
        public List<JobMessage> sendAll(List<JobMessage> messages) {
            return real.sendAll(messages);
        }

        @Override
        public void resend(dev.jobline.queue.ReceivedMessage message, Duration delay) {
            real.resend(message, delay);
        }
    }

    @Test
    void backoffDelaysGrowWithEachAttemptAndCarryJitter(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1));
        JobRegistry registry = JobRegistry.builder()
                .register(JobType.of("flaky", context -> {
                    throw JobFailure.retryable("FLAKY", "try again");
                }).withMaxAttempts(5).withRetryPolicy(policy))
                .build();
        RecordingQueue queue = new RecordingQueue(jobline.wiring.queue());
        Worker worker = new Worker(jobline.wiring.lifecycle(), jobline.wiring.store(), queue, registry,
                WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(72), Duration.ofSeconds(1), 4, 1000), new Random(42));
        WorkerHandler handler = new WorkerHandler(worker);
        int jobs = 6;
        for (int i = 0; i < jobs; i++) {
            jobline.submit("echo", "{}");
        }
        List<String> ids = new ArrayList<>();
        SQSEvent first = jobline.receive(Duration.ofSeconds(2));
        while (first.getRecords().size() < jobs) {
            first.getRecords().addAll(jobline.receive(Duration.ofSeconds(2)).getRecords());
        }
        for (SQSEvent.SQSMessage record : first.getRecords()) {
            String id = JobMessage.jobIdFrom(record.getBody()).orElseThrow();
            ids.add(id);
            // the same jobs, re-typed as flaky: the submission API only knows the catalog's types
            jobline.aws.dynamoClient().updateItem(b -> b.tableName(resources.tableName("JobsTable"))
                    .key(Map.of("jobId", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(id)))
                    .updateExpression("SET jobType = :t, maxAttempts = :m")
                    .expressionAttributeValues(Map.of(
                            ":t", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("flaky"),
                            ":m", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("5"))));
        }

        List<List<Duration>> delaysByAttempt = new ArrayList<>();
        SQSEvent batch = first;
        for (int attempt = 1; attempt <= 4; attempt++) {
            queue.hides.clear();
            SQSBatchResponse response = handler.handleRequest(batch, new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));
            assertEquals(jobs, response.getBatchItemFailures().size(), "every attempt failed and is retried");
            delaysByAttempt.add(new ArrayList<>(queue.hides));
            // skip the wait: move the clock past every backoff, make the delayed messages visible now, receive them again
            jobline.clock.advance(policy.cap());
            for (SQSEvent.SQSMessage record : batch.getRecords()) {
                jobline.aws.sqsClient().changeMessageVisibility(b -> b.queueUrl(jobline.queueUrl)
                        .receiptHandle(record.getReceiptHandle()).visibilityTimeout(0));
            }
            batch = jobline.receive(Duration.ofSeconds(2));
            while (batch.getRecords().size() < jobs) {
                batch.getRecords().addAll(jobline.receive(Duration.ofSeconds(2)).getRecords());
            }
        }

        for (int attempt = 1; attempt <= 4; attempt++) {
            List<Duration> delays = delaysByAttempt.get(attempt - 1);
            assertEquals(jobs, delays.size(), "one visibility change per failed record");
            long ceiling = policy.ceilingAfter(attempt).toSeconds();
            for (Duration delay : delays) {
                assertTrue(delay.toSeconds() >= 0 && delay.toSeconds() <= ceiling,
                        "attempt " + attempt + " delay " + delay + " above its ceiling " + ceiling + " s");
            }
            Set<Duration> distinct = new HashSet<>(delays);
            assertTrue(distinct.size() > 1, "jitter: attempt " + attempt + " delays all equal " + delays);
        }
        long firstMax = delaysByAttempt.get(0).stream().mapToLong(Duration::toSeconds).max().orElseThrow();
        long lastMax = delaysByAttempt.get(3).stream().mapToLong(Duration::toSeconds).max().orElseThrow();
        assertTrue(lastMax > firstMax, "delays grow: attempt 1 max " + firstMax + " s, attempt 4 max " + lastMax + " s");
        Job job = jobline.job(ids.get(0));
        assertEquals(JobStatus.QUEUED, job.status());
        assertEquals(4, job.attempts());
        assertTrue(job.nextAttemptAt() != null, "a waiting job shows when it runs next");
    }

    @Test
    void aJobRunningThreeTimesLongerThanTheVisibilityTimeoutIsNotDeliveredTwice(LocalAws aws, LocalResources resources)
            throws Exception {
        // a 2 s lease: the heartbeat keeps job and message for every 2/3 s
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "2"));
        String jobId = jobline.submit("sleep", "{\"millis\":6000,\"steps\":6}");
        SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertEquals(1, event.getRecords().size());

        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        int redelivered = 0;
        while (!run.isDone()) {
            redelivered += jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), Duration.ofSeconds(30)).getRecords().size();
        }

        assertTrue(run.get().getBatchItemFailures().isEmpty());
        assertEquals(0, redelivered, "the message never became visible while the job ran");
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertEquals(1, job.attempts());
        assertTrue(job.heartbeatAt().isAfter(job.startedAt()), "heartbeats were recorded");
    }

    @Test
    void aJobNearTheFunctionsRemainingTimeIsReleasedAndLaterSucceeds(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("sleep", "{\"millis\":3000,\"steps\":3}");

        // 5 s safety margin + 1.5 s: the attempt gets 1.5 s of the 3 s it needs
        SQSBatchResponse first = jobline.deliver(jobline.receive(Duration.ofSeconds(2)), Duration.ofMillis(6500));

        assertEquals(1, first.getBatchItemFailures().size(), "the message is released for a retry");
        Job released = jobline.job(jobId);
        assertEquals(JobStatus.QUEUED, released.status());
        assertEquals(JobError.TIMED_OUT, released.error().code());
        SQSEvent again = jobline.receive(Duration.ofSeconds(5));
        if (again.getRecords().isEmpty()) {
            again = jobline.receive(Duration.ofSeconds(5));
        }
        assertTrue(jobline.deliver(again).getBatchItemFailures().isEmpty());
        Job done = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(2, done.attempts());
    }

    @Test
    void aMessageArrivingWithNoTimeLeftIsReleasedWithoutClaiming(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("count", "{}");

        SQSBatchResponse response = jobline.deliver(jobline.receive(Duration.ofSeconds(2)), Duration.ofSeconds(5));

        assertEquals(1, response.getBatchItemFailures().size());
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.QUEUED, job.status());
        assertEquals(0, job.attempts(), "nothing was claimed");
        assertEquals(0, jobline.countedRuns.get());
    }

    @Test
    void cancellingAQueuedJobEndsItCancelledWithoutRunningIt(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("count", "{}");
        assertTrue(jobline.wiring.store().requestCancel(jobId, "tenant-a", jobline.clock.instant()).isPresent());

        SQSBatchResponse response = jobline.receiveAndDeliver();

        assertTrue(response.getBatchItemFailures().isEmpty(), "the message is deleted");
        assertEquals(JobStatus.CANCELLED, jobline.job(jobId).status());
        assertEquals(0, jobline.countedRuns.get());
        assertEquals(0, jobline.visibleMessages());
    }

    @Test
    void cancellingARunningSleepJobStopsItAndEndsItCancelled(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "3"));
        String jobId = jobline.submit("sleep", "{\"seconds\":30,\"steps\":60}");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        Jobline.waitUntil("the job runs", () -> jobline.job(jobId).status() == JobStatus.RUNNING);

        jobline.wiring.store().requestCancel(jobId, "tenant-a", jobline.clock.instant());

        SQSBatchResponse response = run.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(response.getBatchItemFailures().isEmpty(), "the message is deleted");
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.CANCELLED, job.status());
        assertTrue(job.finishedAt().isBefore(job.startedAt().plusSeconds(15)), "it stopped well before its 30 s");
    }

    @Test
    void aSlowRecordDoesNotHoldUpTheOthersInItsBatch(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources);
        String slow = jobline.submit("sleep", "{\"millis\":4000,\"steps\":4}");
        String quickOne = jobline.submit("echo", "{\"n\":1}");
        String quickTwo = jobline.submit("echo", "{\"n\":2}");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        while (event.getRecords().size() < 3) {
            event.getRecords().addAll(jobline.receive(Duration.ofSeconds(2)).getRecords());
        }

        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        Jobline.waitUntil("both quick jobs finished", () -> jobline.job(quickOne).status() == JobStatus.SUCCEEDED
                && jobline.job(quickTwo).status() == JobStatus.SUCCEEDED);

        assertEquals(JobStatus.RUNNING, jobline.job(slow).status(), "the quick ones did not wait for the slow one");
        assertTrue(run.get(20, java.util.concurrent.TimeUnit.SECONDS).getBatchItemFailures().isEmpty());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(slow).status());
    }

    @Test
    void progressIsWrittenAtMostOncePerSecond(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        java.util.concurrent.atomic.AtomicInteger heartbeats = new java.util.concurrent.atomic.AtomicInteger();
        dev.jobline.store.JobStore real = jobline.wiring.store();
        dev.jobline.store.JobStore counting = (dev.jobline.store.JobStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.jobline.store.JobStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("heartbeat")) {
                        heartbeats.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Worker worker = new Worker(jobline.wiring.lifecycle().over(counting), counting, jobline.wiring.queue(), jobline.wiring.registry(),
                WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(72), Duration.ofSeconds(1), 4, 100_000), new Random(1));
        // 100 progress reports in 2.5 s
        String jobId = jobline.submit("sleep", "{\"millis\":2500,\"steps\":100}");

        new WorkerHandler(worker).handleRequest(jobline.receive(Duration.ofSeconds(2)), new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));

        assertTrue(heartbeats.get() >= 1 && heartbeats.get() <= 3, "progress writes in 2.5 s: " + heartbeats.get());
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertEquals(100, job.progress().current(), "the final progress is written with the result");
    }
}
