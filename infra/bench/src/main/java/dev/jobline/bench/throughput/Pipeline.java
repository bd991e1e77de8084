package dev.jobline.bench.throughput;

import dev.jobline.local.LocalAws;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One measured run: submitters put N jobs in, event-source pollers drain them through a worker function, and the
 * clock runs from the first submit to the N-th item turning SUCCEEDED. Afterwards the table and the queue are read
 * with the stack's own (uncounted) clients, to check that every job did succeed and nothing is left behind.
 */
final class Pipeline {

    /** The submit side of one emulated API environment: sends {@code jobs} jobs of one tenant in one request, answers how many were accepted. */
    interface Submitter {
        int submit(int jobs, String tenant);
    }

    /** How submitting and draining overlap. */
    enum Mode {
        /** the pollers run while the jobs come in, as they do in production */
        WHILE_SUBMITTING,
        /** every job is submitted first, then the pollers drain the backlog (full batches) */
        BACKLOG
    }

    /** Where the worker's event source reads. */
    record Source(String queueUrl, String queueArn, int batchSize, int windowSeconds) {
    }

    record Result(String name, int jobs, int succeeded, double seconds, CallCounter.Tally tally,
                  List<Double> apiMillis, List<EventSourcePoller.Invocation> invocations,
                  Map<String, Integer> statuses, int leftInQueues) {

        double jobsPerSecond() {
            return succeeded / seconds;
        }
    }

    private final LocalAws aws;
    private final CallCounter counter;
    private final SqsClient countedSqs;
    private final String table;
    private final List<Source> sources;

    Pipeline(LocalAws aws, CallCounter counter, SqsClient countedSqs, String table, List<Source> sources) {
        this.aws = aws;
        this.counter = counter;
        this.countedSqs = countedSqs;
        this.table = table;
        this.sources = List.copyOf(sources);
    }

    /**
     * @param jobsPerRequest at most this many jobs in one submit (1: POST /jobs; more: a batch route)
     * @param trace          record the calls made for the first job (the floor replays them)
     */
    Result run(String name, Mode mode, int jobs, int jobsPerRequest, List<String> tenants, int submitters, Supplier<Submitter> submitSide,
               int pollers, Supplier<EventSourcePoller.Function> workerSide, boolean trace, long timeoutSeconds)
            throws Exception {
        CallCounter.Tally tally = counter.start(CapacityModel.of(aws.dynamoClient(), table), jobs, trace);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<EventSourcePoller.Invocation> invocations = new ConcurrentLinkedQueue<>();
        AtomicInteger invocationSequence = new AtomicInteger();
        AtomicInteger submitSequence = new AtomicInteger();
        ConcurrentLinkedQueue<Double> apiMillis = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(pollers + submitters);
        List<Future<?>> polling = new ArrayList<>();
        Runnable startPolling = () -> {
            for (int i = 0; i < pollers; i++) {
                Source source = sources.get(i % sources.size());
                polling.add(threads.submit(new EventSourcePoller(countedSqs, source.queueUrl(), source.queueArn(),
                        source.batchSize(), source.windowSeconds(), workerSide.get(), stop, invocations,
                        invocationSequence)));
            }
        };
        if (mode == Mode.WHILE_SUBMITTING) {
            startPolling.run();
        }
        AtomicInteger unclaimed = new AtomicInteger(jobs);
        List<Future<?>> submitting = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < submitters; i++) {
            Submitter submitter = submitSide.get();
            submitting.add(threads.submit(() -> {
                while (true) {
                    int take = take(unclaimed, jobsPerRequest);
                    if (take == 0) {
                        return null;
                    }
                    int request = submitSequence.getAndIncrement();
                    CallCounter.SCOPE.set("submit#" + request);
                    long before = System.nanoTime();
                    int accepted;
                    try {
                        accepted = submitter.submit(take, tenants.get(request % tenants.size()));
                    } finally {
                        CallCounter.SCOPE.remove();
                    }
                    apiMillis.add((System.nanoTime() - before) / 1_000_000.0);
                    if (accepted != take) {
                        throw new IllegalStateException(name + ": a submit of " + take + " jobs accepted " + accepted);
                    }
                }
            }));
        }
        try {
            for (Future<?> submit : submitting) {
                submit.get(timeoutSeconds, TimeUnit.SECONDS);
            }
            if (mode == Mode.BACKLOG) {
                startPolling.run();
            }
            boolean done = tally.awaitSucceeded(timeoutSeconds, TimeUnit.SECONDS);
            long ended = done ? tally.lastSucceededNanos() : System.nanoTime();
            stop.set(true);
            for (Future<?> poll : polling) {
                poll.get(timeoutSeconds, TimeUnit.SECONDS);
            }
            tally.capacity.settle(aws.dynamoClient(), table);
            return new Result(name, jobs, tally.succeededJobs(), (ended - started) / 1e9, tally,
                    List.copyOf(apiMillis), List.copyOf(invocations), statuses(), leftInQueues());
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
    }

    private static int take(AtomicInteger unclaimed, int most) {
        while (true) {
            int left = unclaimed.get();
            int take = Math.min(left, most);
            if (take == 0 || unclaimed.compareAndSet(left, left - take)) {
                return take;
            }
        }
    }

    private Map<String, Integer> statuses() {
        Map<String, Integer> statuses = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = aws.dynamoClient().scan(b -> b.tableName(table)
                    .projectionExpression("#s").expressionAttributeNames(Map.of("#s", "status"))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue status = item.get("status");
                if (status != null) {   // job items; counters and quotas share the table
                    statuses.merge(status.s(), 1, Integer::sum);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return statuses;
    }

    private int leftInQueues() {
        int left = 0;
        for (Source source : sources) {
            Map<String, String> attributes = aws.sqsClient().getQueueAttributes(b -> b.queueUrl(source.queueUrl())
                    .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                    .attributesAsStrings();
            left += Integer.parseInt(attributes.get("ApproximateNumberOfMessages"))
                    + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"));
        }
        return left;
    }
}
