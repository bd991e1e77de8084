package dev.jobline.bench.throughput;

import dev.jobline.bench.stack.BenchClients;
import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.stack.Repo;
import dev.jobline.bench.stack.Stats;
import dev.jobline.config.Clients;
import dev.jobline.local.EventSource;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.jobline.bench.throughput.Pipeline.Mode.BACKLOG;
import static dev.jobline.bench.throughput.Pipeline.Mode.WHILE_SUBMITTING;

/**
 * Throughput, requests per job and cost. Submits N echo jobs through Jobline's API handler (in this process, a few
 * submitters at once) and drains them through an emulated SQS event source into the WorkerHandler; then sends the
 * same SQS and DynamoDB requests with no Jobline code around them (the raw floor), and the least a correct design must
 * send (the minimal floor, {@link MinimalSide}). Every SDK call of all three is counted. A warm-up of each comes first
 * (not measured), Jobline's also recording the calls the raw floor replays.
 *
 * <p>Jobs are spread round-robin over a few tenants: template.yaml limits one tenant to TenantSubmitsPerMinute
 * (600 by default), which 2,000 jobs in a few seconds would exceed.
 *
 * <p>Usage: {@code Throughput [--jobs 2000] [--rounds 2] [--tenants 4] [--submitters 4] [--pollers 4] [--warmup 200]
 * [--timeout 300]}.
 */
public final class Throughput {
    /** Jobs per POST /jobs/batch: the route's limit. */
    private static final int BATCH_JOBS = 100;

    public static void main(String[] args) throws Exception {
        int jobs = option(args, "--jobs", 2000);
        int submitters = option(args, "--submitters", 4);
        int pollers = option(args, "--pollers", 4);
        int warmup = option(args, "--warmup", 200);
        int timeout = option(args, "--timeout", 300);
        int rounds = option(args, "--rounds", 2);
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < option(args, "--tenants", 4); i++) {
            tenants.add("bench-tenant-" + i);
        }
        // every emulated Lambda environment shares this JVM's keep-alive cache (http.maxConnections, 5 by default);
        // give each its own share, as separate environments would have, so neither path pays for reconnecting
        System.setProperty("http.maxConnections", Integer.toString(10 * (submitters + pollers)));

        Repo repo = Repo.locate();
        Repo.FunctionLogs functionLogs = repo.redirectFunctionLogs("throughput-functions.log");

        CallCounter counter = new CallCounter();
        try (LocalAws aws = LocalAws.start()) {
            Clients clients = BenchClients.of(aws, List.of(counter));
            LocalResources joblineStack = aws.provision(repo.template());
            LocalResources floorStack = aws.provision(repo.template());
            LocalResources minimalStack = aws.provision(repo.template());
            JoblineSide jobline = new JoblineSide(joblineStack, clients, repo.event("api-submit-job.json"));
            int batchSize = sources(joblineStack).get(0).batchSize();
            int concurrency = jobline.workerFunction().events("SQS").get(0).maximumConcurrency().orElse(pollers);
            System.out.println("Throughput: " + rounds + " rounds of " + jobs + " echo jobs (events/api-submit-job.json), " + submitters
                    + " API submitters in-process, " + pollers + " event-source pollers (template: BatchSize "
                    + batchSize + ", MaximumConcurrency " + concurrency + ", capped for "
                    + Runtime.getRuntime().availableProcessors() + " cores), worker parallelism "
                    + jobline.workerParallelism() + ", jobs spread over " + tenants.size() + " tenants; warm-up "
                    + warmup + " jobs each, not measured");
            System.out.println("  machine: " + Machine.describe());
            System.out.println("  function logs: " + functionLogs.file());

            Pipeline joblinePipe = pipeline(aws, counter, clients, joblineStack);
            Pipeline.Result warm = joblinePipe.run("jobline warm-up", WHILE_SUBMITTING, warmup, 1, tenants, submitters,
                    jobline::singleSubmitter, pollers, jobline::worker, true, timeout);
            check(warm);
            FloorSide floor = new FloorSide(warm.tally(), warm.invocations(), "submit#" + warmup / 2, clients,
                    table(floorStack), twins(joblineStack, floorStack), jobline.workerParallelism());
            joblineStack.purge();
            Pipeline floorPipe = pipeline(aws, counter, clients, floorStack);
            check(floorPipe.run("floor warm-up", WHILE_SUBMITTING, warmup, 1, tenants, submitters, floor::submitter, pollers,
                    floor::worker, false, timeout));
            floorStack.purge();
            MinimalSide minimal = new MinimalSide(clients, table(minimalStack),
                    minimalStack.environment("WorkerFunction").get("QUEUE_URL"), jobline.submitEvent().getBody(),
                    Integer.parseInt(minimalStack.environment("WorkerFunction").get("LEASE_SECONDS")),
                    jobline.workerParallelism());
            Pipeline minimalPipe = pipeline(aws, counter, clients, minimalStack);
            check(minimalPipe.run("minimal warm-up", WHILE_SUBMITTING, warmup, 1, tenants, submitters, minimal::submitter,
                    pollers, minimal::worker, false, timeout));
            minimalStack.purge();

            // ABBA order over the rounds (Jobline, raw, minimal, then minimal, raw, Jobline), so no path always runs
            // on the warmer JVM
            List<Pipeline.Result> joblineRuns = new ArrayList<>();
            List<Pipeline.Result> floorRuns = new ArrayList<>();
            List<Pipeline.Result> minimalRuns = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (int turn : round % 2 == 0 ? new int[] {0, 1, 2} : new int[] {2, 1, 0}) {
                    if (turn == 0) {
                        joblineRuns.add(check(joblinePipe.run("jobline, round " + (round + 1), WHILE_SUBMITTING, jobs, 1,
                                tenants, submitters, jobline::singleSubmitter, pollers, jobline::worker, false, timeout)));
                        joblineStack.purge();
                    } else if (turn == 1) {
                        floorRuns.add(check(floorPipe.run("raw floor, round " + (round + 1), WHILE_SUBMITTING, jobs, 1,
                                tenants, submitters, floor::submitter, pollers, floor::worker, false, timeout)));
                        floorStack.purge();
                    } else {
                        minimalRuns.add(check(minimalPipe.run("minimal floor, round " + (round + 1), WHILE_SUBMITTING,
                                jobs, 1, tenants, submitters, minimal::submitter, pollers, minimal::worker, false, timeout)));
                        minimalStack.purge();
                    }
                }
            }
            Pipeline.Result measured = joblineRuns.get(0);
            Pipeline.Result raw = floorRuns.get(0);
            Pipeline.Result least = minimalRuns.get(0);
            Pipeline.Result backlog = check(joblinePipe.run("jobline, from a backlog", BACKLOG, jobs, 1, tenants, submitters,
                    jobline::singleSubmitter, pollers, jobline::worker, false, timeout));
            functionLogs.out().flush();

            System.out.println();
            System.out.println("Throughput, first submit to last SUCCEEDED, pollers running while the jobs come in");
            joblineRuns.forEach(Throughput::printRun);
            floorRuns.forEach(Throughput::printRun);
            minimalRuns.forEach(Throughput::printRun);
            double joblineRate = rate(joblineRuns);
            double floorRate = rate(floorRuns);
            double minimalRate = rate(minimalRuns);
            double ratio = joblineRate / floorRate;
            System.out.println(String.format(Locale.ROOT,
                    "  jobline %.1f jobs/s, raw floor %.1f jobs/s (all rounds): jobline / raw floor = %.0f%%  (target >= 80%%: %s)",
                    joblineRate, floorRate, 100 * ratio, ratio >= 0.80 ? "met" : "MISSED"));
            System.out.println(String.format(Locale.ROOT,
                    "  jobline %.1f jobs/s, minimal floor %.1f jobs/s (all rounds): jobline / minimal floor = %.0f%%"
                            + "  (raw floor / minimal floor = %.0f%%)",
                    joblineRate, minimalRate, 100 * joblineRate / minimalRate, 100 * floorRate / minimalRate));
            System.out.println("  the floor replays Jobline's own requests for one warm-up job: " + floor.calls());
            System.out.println("  the minimal floor sends: " + minimal.calls() + "; messages that came before their item, "
                    + "handed back for " + MinimalSide.RETRY_SECONDS + " s (all its runs, warm-up included): " + minimal.returned());
            System.out.println("  SDK requests per job (first round), jobline vs floor vs minimal floor:");
            for (String operation : union(union(measured.tally().attemptsByOperation(), raw.tally().attemptsByOperation()),
                    least.tally().attemptsByOperation())) {
                System.out.println(String.format(Locale.ROOT, "    %-32s %7.3f %7.3f %7.3f", operation,
                        perJob(measured, operation), perJob(raw, operation), perJob(least, operation)));
            }
            System.out.println(String.format(Locale.ROOT, "    %-32s %7.3f %7.3f %7.3f", "total",
                    perJob(measured), perJob(raw), perJob(least)));
            System.out.println("  for comparison, every job submitted before the pollers start (full batches):");
            printRun(backlog);
            System.out.println();

            CostReport single = new CostReport(measured, jobline.apiFunction(), jobline.workerFunction());
            single.print("Requests and cost per job, single submit (POST /jobs), pollers running while the jobs come in",
                    CostReport.SINGLE_REQUESTS_TARGET);
            System.out.println(String.format(Locale.ROOT, "  single submit: $%.2f per million jobs (target <= $%.2f: %s)",
                    single.dollarsPerMillionJobs(), CostReport.SINGLE_DOLLARS_TARGET,
                    single.dollarsPerMillionJobs() <= CostReport.SINGLE_DOLLARS_TARGET ? "met" : "MISSED"));
            System.out.println();
            CostReport fromBacklog = new CostReport(backlog, jobline.apiFunction(), jobline.workerFunction());
            fromBacklog.print("Requests and cost per job, single submit (POST /jobs), drained from a backlog",
                    CostReport.SINGLE_REQUESTS_TARGET);
            System.out.println(String.format(Locale.ROOT, "  single submit from a backlog: $%.2f per million jobs",
                    fromBacklog.dollarsPerMillionJobs()));
            System.out.println();

            counter.start(null, 0, false);
            Optional<String> missing = jobline.batchRouteMissing();
            if (missing.isPresent()) {
                System.out.println("Requests and cost per job, batch submit: NOT MEASURED, " + missing.get());
            } else {
                LocalResources batchStack = aws.provision(repo.template());
                JoblineSide batched = new JoblineSide(batchStack, clients, repo.event("api-submit-job.json"));
                Pipeline batchPipe = pipeline(aws, counter, clients, batchStack);
                check(batchPipe.run("batch warm-up", WHILE_SUBMITTING, warmup, BATCH_JOBS, tenants, submitters,
                        batched::batchSubmitter, pollers, batched::worker, false, timeout));
                batchStack.purge();
                Pipeline.Result batch = check(batchPipe.run("jobline, batch submit", WHILE_SUBMITTING, jobs, BATCH_JOBS,
                        tenants, submitters, batched::batchSubmitter, pollers, batched::worker, false, timeout));
                printRun(batch);
                CostReport cost = new CostReport(batch, batched.apiFunction(), batched.workerFunction());
                cost.print("Requests and cost per job, batch submit (POST /jobs/batch, " + BATCH_JOBS
                        + " jobs per request), pollers running while the jobs come in", 0);
                System.out.println(String.format(Locale.ROOT, "  batch submit: $%.2f per million jobs (target <= $3.00: %s)",
                        cost.dollarsPerMillionJobs(), cost.dollarsPerMillionJobs() <= 3.00 ? "met" : "MISSED"));
            }
            System.out.println();
            System.out.println("machine at the end: " + Machine.load());
        } finally {
            functionLogs.out().flush();
        }
    }

    private static Pipeline pipeline(LocalAws aws, CallCounter counter, Clients clients, LocalResources stack) {
        return new Pipeline(aws, counter, clients.sqs(), table(stack), sources(stack));
    }

    private static String table(LocalResources stack) {
        return stack.environment("WorkerFunction").get("TABLE_NAME");
    }

    /** Every SQS event source of the worker in template.yaml, resolved to this stack's queues. */
    private static List<Pipeline.Source> sources(LocalResources stack) {
        List<Pipeline.Source> sources = new ArrayList<>();
        for (EventSource event : stack.function("WorkerFunction").events("SQS")) {
            sources.add(new Pipeline.Source(event.queueUrl(), arnOf(stack, event.queueUrl()), event.batchSize(),
                    event.maximumBatchingWindowSeconds()));
        }
        return sources;
    }

    private static String arnOf(LocalResources stack, String queueUrl) {
        return stack.queueUrls().entrySet().stream().filter(e -> e.getValue().equals(queueUrl))
                .map(e -> stack.queueArn(e.getKey())).findFirst().orElseThrow();
    }

    /** Each queue URL of one stack to the same queue's URL in the other. */
    private static Map<String, String> twins(LocalResources from, LocalResources to) {
        Map<String, String> twins = new java.util.HashMap<>();
        from.queueUrls().forEach((logicalId, url) -> twins.put(url, to.queueUrl(logicalId)));
        return twins;
    }

    private static Pipeline.Result check(Pipeline.Result run) {
        Integer succeeded = run.statuses().get("SUCCEEDED");
        if (run.succeeded() != run.jobs() || succeeded == null || succeeded != run.jobs()
                || run.statuses().size() != 1 || run.leftInQueues() != 0) {
            throw new IllegalStateException(run.name() + ": " + run.succeeded() + " of " + run.jobs()
                    + " jobs seen succeeding; table " + run.statuses() + ", " + run.leftInQueues() + " messages left");
        }
        return run;
    }

    private static void printRun(Pipeline.Result run) {
        Stats api = Stats.of(run.apiMillis());
        Stats worker = Stats.of(run.invocations().stream().map(EventSourcePoller.Invocation::millis).toList());
        double records = run.invocations().stream().mapToInt(EventSourcePoller.Invocation::records).average().orElse(0);
        System.out.println(String.format(Locale.ROOT,
                "  %-22s %5d jobs in %6.2f s = %6.1f jobs/s   (submit p50 %.1f ms; %d worker invocations, "
                        + "%.1f records each, p50 %.0f ms)",
                run.name(), run.succeeded(), run.seconds(), run.jobsPerSecond(), api.median(),
                run.invocations().size(), records, worker.median()));
    }

    /** Jobs per second over several runs: all their jobs over all their time. */
    private static double rate(List<Pipeline.Result> runs) {
        return runs.stream().mapToInt(Pipeline.Result::succeeded).sum() / runs.stream().mapToDouble(Pipeline.Result::seconds).sum();
    }

    private static List<String> union(Map<String, Long> a, Map<String, Long> b) {
        return union(a.keySet(), b);
    }

    private static List<String> union(java.util.Collection<String> a, Map<String, Long> b) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b.keySet());
        return new ArrayList<>(all);
    }

    private static double perJob(Pipeline.Result run) {
        return run.tally().totalAttempts() / (double) run.succeeded();
    }

    private static double perJob(Pipeline.Result run, String operation) {
        return run.tally().attemptsByOperation().getOrDefault(operation, 0L) / (double) run.succeeded();
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
