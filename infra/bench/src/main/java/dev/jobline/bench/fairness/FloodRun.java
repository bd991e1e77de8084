package dev.jobline.bench.fairness;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.jobline.api.ApiHandler;
import dev.jobline.bench.stack.BenchClients;
import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.throughput.EventSourcePoller;
import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.json.Json;
import dev.jobline.local.EventSource;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.local.ProvisionOptions;
import dev.jobline.local.TemplateFunction;
import dev.jobline.worker.WorkerHandler;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One scenario on tables and queues of its own (provisioned from template.yaml for it, deleted after it): the event
 * source's pollers start, tenant A submits its flood (POST /jobs/batch, {@link #BATCH_JOBS} a request, a few
 * submitters at once), and once all of it is accepted and A's first job is running, tenant B submits its jobs one
 * POST /jobs at a time. It ends when every job has succeeded; then the stored jobs give the figures, and the table and
 * queues are checked: every job SUCCEEDED after exactly one attempt and written SUCCEEDED once, no message left on any
 * jobs queue or the dead-letter queue, no running-limit hold left.
 */
final class FloodRun {
    static final String TENANT_A = "tenant-a-flood";
    static final String TENANT_B = "tenant-b";
    /** Jobs per POST /jobs/batch: the route's most. */
    private static final int BATCH_JOBS = 100;

    /** What to run: {@code aJobs} 0 is tenant B alone on an idle system; {@code cap} 0 is TENANT_MAX_RUNNING = 0, no cap. */
    record Scenario(String name, int aJobs, int bJobs, int cap) {
    }

    /** What came of it; {@code problems} empty when every check held. */
    record Outcome(Scenario scenario, TenantFigures a, TenantFigures b, long aStartedBeforeB, long aWaited, long bWaited,
                   Map<String, Long> calls, Map<String, Long> refusedCalls, double seconds, List<String> problems, String loadBefore, String loadAfter) {
    }

    private final LocalAws aws;
    private final Path template;
    private final String submitEvent;
    private final int pollers;
    private final int submitters;
    private final long sleepMillis;
    private final long timeoutSeconds;
    private final int floodJobs;

    /** @param floodJobs the largest flood of the run, which the tenant quotas make room for in every scenario */
    FloodRun(LocalAws aws, Path template, Path submitEvent, int pollers, int submitters, long sleepMillis,
             long timeoutSeconds, int floodJobs) throws java.io.IOException {
        this.aws = aws;
        this.template = template;
        this.submitEvent = Files.readString(submitEvent);
        this.pollers = pollers;
        this.submitters = submitters;
        this.sleepMillis = sleepMillis;
        this.timeoutSeconds = timeoutSeconds;
        this.floodJobs = floodJobs;
    }

    /**
     * The deployment's parameters for a scenario: its cap, and room for the flood in the tenant quotas, the same in
     * every scenario (by default a tenant may have 1,000 jobs in flight and submit 600 a minute, which 2,000 in a few
     * seconds would exceed: the quotas' 429s are not what is measured).
     */
    private Map<String, String> parameters(int cap) {
        return Map.of("TenantMaxRunning", Integer.toString(cap),
                "TenantMaxInFlight", Integer.toString(Math.max(1000, 2 * floodJobs)),
                "TenantSubmitsPerMinute", Integer.toString(Math.max(600, 10 * floodJobs)));
    }

    Outcome run(Scenario scenario) throws Exception {
        String loadBefore = Machine.load();
        long started = System.nanoTime();
        Transitions seen = new Transitions(scenario.aJobs() + scenario.bJobs());
        Clients clients = BenchClients.of(aws, List.of(seen));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(pollers + submitters);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        try (LocalResources stack = aws.provision(template,
                ProvisionOptions.defaults().withParameters(parameters(scenario.cap())))) {
            Config apiConfig = Config.from(stack.environment("ApiFunction"));
            Config workerConfig = Config.from(stack.environment("WorkerFunction"));
            if (workerConfig.tenantMaxRunning() != scenario.cap()) {
                throw new IllegalStateException("the worker's TENANT_MAX_RUNNING is " + workerConfig.tenantMaxRunning()
                        + ", not " + scenario.cap());
            }
            TemplateFunction worker = stack.function("WorkerFunction");
            EventSource jobsSource = worker.events("SQS").stream()
                    .filter(event -> event.queueUrl().equals(stack.queueUrl("JobsQueue"))).findFirst().orElseThrow();
            List<Future<?>> polling = new ArrayList<>();
            ConcurrentLinkedQueue<EventSourcePoller.Invocation> invocations = new ConcurrentLinkedQueue<>();
            AtomicInteger sequence = new AtomicInteger();
            for (int i = 0; i < pollers; i++) {
                polling.add(threads.submit(new EventSourcePoller(clients.sqs(), jobsSource.queueUrl(),
                        stack.queueArn("JobsQueue"), jobsSource.batchSize(), jobsSource.maximumBatchingWindowSeconds(),
                        workerFunction(workerConfig, clients, worker), stop, invocations, sequence)));
            }

            if (scenario.aJobs() > 0) {
                submitFlood(threads, scenario.aJobs(), apiConfig, clients, stack);
                if (!seen.awaitFirstRunning(TENANT_A, timeoutSeconds)) {
                    problems.add("none of A's jobs started within " + timeoutSeconds + " s");
                }
            }
            ApiHandler api = api(apiConfig, clients);
            for (int i = 0; i < scenario.bJobs(); i++) {
                submit(api, stack, TENANT_B, 1);
            }

            if (!seen.awaitAllSucceeded(timeoutSeconds)) {
                problems.add("not every job succeeded within " + timeoutSeconds + " s after the last submit");
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            stop.set(true);
            for (Future<?> poll : polling) {
                poll.get(timeoutSeconds, TimeUnit.SECONDS);
            }

            String table = workerConfig.tableName();
            List<StoredJob> jobs = StoredJob.scan(aws.dynamoClient(), table);
            TenantFigures a = TenantFigures.of(TENANT_A, jobs);
            TenantFigures b = TenantFigures.of(TENANT_B, jobs);
            long aStartedBeforeB = jobs.stream().filter(job -> job.tenantId().equals(TENANT_A) && job.startedAt() != null
                    && job.startedAt() < b.firstCreatedAt()).count();
            check(scenario, jobs, a, b, seen, stack, table, problems);
            return new Outcome(scenario, a, b, aStartedBeforeB, seen.jobsThatWaited(TENANT_A), seen.jobsThatWaited(TENANT_B),
                    seen.calls(), seen.refusedCalls(), seconds, List.copyOf(problems), loadBefore, Machine.load());
        } finally {
            stop.set(true);
            threads.shutdownNow();
            clients.dynamo().close();
            clients.sqs().close();
        }
    }

    private void check(Scenario scenario, List<StoredJob> jobs, TenantFigures a, TenantFigures b, Transitions seen,
                       LocalResources stack, String table, List<String> problems) {
        if (a.jobs() != scenario.aJobs() || b.jobs() != scenario.bJobs() || jobs.size() != scenario.aJobs() + scenario.bJobs()) {
            problems.add("the table holds " + jobs.size() + " jobs (A " + a.jobs() + ", B " + b.jobs() + "), expected A "
                    + scenario.aJobs() + " and B " + scenario.bJobs());
        }
        List<StoredJob> notOnce = jobs.stream().filter(job -> !job.succeededOnce()).toList();
        if (!notOnce.isEmpty()) {
            problems.add(notOnce.size() + " jobs did not end SUCCEEDED after one attempt, e.g. " + notOnce.stream().limit(5)
                    .map(job -> job.jobId() + " " + job.tenantId() + " " + job.status() + " attempts " + job.attempts()).toList());
        }
        Map<String, Long> successes = seen.successesByJob();
        long twice = successes.values().stream().filter(count -> count != 1).count();
        if (twice > 0 || successes.size() != jobs.size()) {
            problems.add("jobs written SUCCEEDED: " + successes.size() + " of " + jobs.size() + ", " + twice + " more than once");
        }
        for (String queue : List.of("JobsQueue", "HighPriorityJobsQueue", "JobsDeadLetterQueue")) {
            Map<String, String> attributes = aws.sqsClient().getQueueAttributes(r -> r.queueUrl(stack.queueUrl(queue))
                    .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                            "ApproximateNumberOfMessagesDelayed")).attributesAsStrings();
            long left = attributes.values().stream().mapToLong(Long::parseLong).sum();
            if (left != 0) {
                problems.add(left + " messages left on " + queue + " " + attributes);
            }
        }
        Map<String, String> held = StoredJob.limitsStillHeld(aws.dynamoClient(), table);
        if (!held.isEmpty()) {
            problems.add("running-limit holds left after every attempt ended: " + held);
        }
        if (scenario.cap() > 0 && (a.mostRunning() > scenario.cap() || b.mostRunning() > scenario.cap())) {
            problems.add("more than the cap of " + scenario.cap() + " ran at once (by the stored times): A "
                    + a.mostRunning() + ", B " + b.mostRunning());
        }
    }

    private void submitFlood(ExecutorService threads, int jobs, Config apiConfig, Clients clients, LocalResources stack)
            throws Exception {
        AtomicInteger unclaimed = new AtomicInteger(jobs);
        List<Future<?>> submitting = new ArrayList<>();
        for (int i = 0; i < submitters; i++) {
            ApiHandler api = api(apiConfig, clients);
            submitting.add(threads.submit(() -> {
                while (true) {
                    int take = Math.min(BATCH_JOBS, unclaimed.getAndAdd(-BATCH_JOBS));
                    if (take <= 0) {
                        return null;
                    }
                    submit(api, stack, TENANT_A, take);
                }
            }));
        }
        for (Future<?> submit : submitting) {
            submit.get(timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    /** One POST /jobs (jobs 1) or POST /jobs/batch of sleep jobs as the tenant; every job must be accepted. */
    private void submit(ApiHandler api, LocalResources stack, String tenant, int jobs) {
        String one = "{\"type\": \"sleep\", \"payload\": {\"millis\": " + sleepMillis + ", \"steps\": 1}}";
        APIGatewayV2HTTPEvent event = event();
        event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        if (jobs == 1) {
            event.setBody(one);
        } else {
            event.setBody("{\"jobs\": [" + String.join(", ", Collections.nCopies(jobs, one)) + "]}");
            event.setRawPath("/jobs/batch");
            event.setRouteKey("POST /jobs/batch");
            event.getRequestContext().setRouteKey("POST /jobs/batch");
            event.getRequestContext().getHttp().setPath("/jobs/batch");
        }
        TemplateFunction function = stack.function("ApiFunction");
        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext(function.logicalId(),
                Duration.ofSeconds(function.timeoutSeconds()), function.memorySize(), null));
        int accepted = response.getStatusCode() == 202 && jobs == 1 ? 1
                : response.getStatusCode() / 100 == 2 && jobs > 1
                ? ((Number) Json.parseObject(response.getBody()).get("accepted")).intValue() : 0;
        if (accepted != jobs) {
            throw new IllegalStateException("a submit of " + jobs + " jobs as " + tenant + " answered "
                    + response.getStatusCode() + ": " + response.getBody());
        }
    }

    /** events/api-submit-sleep-job.json, read as the Lambda runtime reads it, afresh for each request. */
    private APIGatewayV2HTTPEvent event() {
        return JacksonFactory.getInstance().getSerializer(APIGatewayV2HTTPEvent.class)
                .fromJson(new ByteArrayInputStream(submitEvent.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** An emulated API environment: the real handler, wired from ApiFunction's environment in template.yaml. */
    private static ApiHandler api(Config config, Clients clients) {
        return new ApiHandler(new Wiring(config, clients, JobCatalog.registry(), Clock.systemUTC()).api());
    }

    /** An emulated worker environment: the real WorkerHandler, invoked with the event source's batch. */
    private static EventSourcePoller.Function workerFunction(Config config, Clients clients, TemplateFunction function) {
        WorkerHandler handler = new WorkerHandler(new Wiring(config, clients, JobCatalog.registry(), Clock.systemUTC()).worker());
        return (batch, queueArn) -> {
            SQSBatchResponse response = handler.handleRequest(LambdaSqsEvent.event(batch, queueArn),
                    new LambdaContext(function.logicalId(), Duration.ofSeconds(function.timeoutSeconds()), function.memorySize(), null));
            return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        };
    }
}
