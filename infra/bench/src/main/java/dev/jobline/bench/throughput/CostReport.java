package dev.jobline.bench.throughput;

import dev.jobline.local.TemplateFunction;
import java.util.Locale;
import java.util.Map;

/**
 * Requests per job and dollars per million jobs of one measured run, from its counted calls and timings.
 * Lambda compute is estimated from the run itself: each invocation's measured wall time (in this process, against
 * the local stack), rounded up to the ms as Lambda bills, times the function's MemorySize from template.yaml.
 */
final class CostReport {
    private final Pipeline.Result run;
    private final TemplateFunction api;
    private final TemplateFunction worker;

    CostReport(Pipeline.Result run, TemplateFunction api, TemplateFunction worker) {
        this.run = run;
        this.api = api;
        this.worker = worker;
    }

    double requestsPerJob() {
        return run.tally().totalAttempts() / (double) run.succeeded();
    }

    double dollarsPerMillionJobs() {
        return total() / run.succeeded() * 1e6;
    }

    private double total() {
        return sqsDollars() + dynamoWriteDollars() + dynamoReadDollars() + lambdaRequestDollars()
                + lambdaComputeDollars() + httpApiDollars();
    }

    private long sqsRequests() {
        return run.tally().attempts("Sqs");
    }

    private double sqsDollars() {
        return sqsRequests() * Prices.SQS_PER_REQUEST;
    }

    private long writeUnits() {
        return run.tally().capacity.tableWriteUnits() + run.tally().capacity.indexWriteUnits();
    }

    private double dynamoWriteDollars() {
        return writeUnits() * Prices.DYNAMODB_PER_WRU;
    }

    private double dynamoReadDollars() {
        return run.tally().capacity.readUnits() * Prices.DYNAMODB_PER_RRU;
    }

    private long invocations() {
        return run.apiMillis().size() + run.invocations().size();
    }

    private double lambdaRequestDollars() {
        return invocations() * Prices.LAMBDA_PER_REQUEST;
    }

    private double apiGbSeconds() {
        return run.apiMillis().stream().mapToDouble(Math::ceil).sum() / 1000 * api.memorySize() / 1024.0;
    }

    private double workerGbSeconds() {
        return run.invocations().stream().mapToDouble(i -> Math.ceil(i.millis())).sum() / 1000 * worker.memorySize() / 1024.0;
    }

    private double lambdaComputeDollars() {
        return (apiGbSeconds() + workerGbSeconds()) * Prices.LAMBDA_PER_GB_SECOND;
    }

    private double httpApiDollars() {
        return run.apiMillis().size() * Prices.HTTP_API_PER_REQUEST;
    }

    /** Issue 17's targets for a single submit: requests per job and dollars per million jobs. */
    static final double SINGLE_REQUESTS_TARGET = 5.5;
    static final double SINGLE_DOLLARS_TARGET = 6.00;

    /** Prints the figures; {@code requestsTarget} 0 when there is none for this way of submitting. */
    void print(String title, double requestsTarget) {
        double jobs = run.succeeded();
        System.out.println(title);
        System.out.println(requestsTarget > 0
                ? String.format(Locale.ROOT, "  SDK requests per succeeded job: %.2f  (target <= %.1f: %s)",
                        requestsPerJob(), requestsTarget, requestsPerJob() <= requestsTarget ? "met" : "MISSED")
                : String.format(Locale.ROOT, "  SDK requests per succeeded job: %.2f", requestsPerJob()));
        for (Map.Entry<String, Long> operation : run.tally().attemptsByOperation().entrySet()) {
            System.out.println(String.format(Locale.ROOT, "    %-32s %7.3f", operation.getKey(), operation.getValue() / jobs));
        }
        Map<String, Long> failures = run.tally().failuresByOperation();
        if (!failures.isEmpty()) {
            System.out.println("    (calls that failed, included above: " + failures + ")");
        }
        CapacityModel capacity = run.tally().capacity;
        System.out.println(String.format(Locale.ROOT, "  per million jobs (%s):", Prices.AS_OF));
        line("SQS requests", sqsRequests() / jobs, "requests", sqsDollars());
        line(String.format(Locale.ROOT, "DynamoDB writes (table %.2f + indexes %.2f)",
                capacity.tableWriteUnits() / jobs, capacity.indexWriteUnits() / jobs), writeUnits() / jobs, "WRU", dynamoWriteDollars());
        capacity.indexWriteUnitsByIndex().forEach((index, units) -> System.out.println(String.format(Locale.ROOT,
                "      of which index %-20s %7.2f WRU/job", index, units / jobs)));
        line("DynamoDB reads", capacity.readUnits() / jobs, "RRU", dynamoReadDollars());
        line(String.format(Locale.ROOT, "Lambda requests (API %.3f + worker %.3f)",
                run.apiMillis().size() / jobs, run.invocations().size() / jobs), invocations() / jobs, "invocations", lambdaRequestDollars());
        line(String.format(Locale.ROOT, "Lambda compute (API %d MB, worker %d MB)", api.memorySize(), worker.memorySize()),
                (apiGbSeconds() + workerGbSeconds()) / jobs, "GB-s", lambdaComputeDollars());
        line("API Gateway HTTP API requests", run.apiMillis().size() / jobs, "requests", httpApiDollars());
        System.out.println(String.format(Locale.ROOT, "    %-52s %30s $%.3f", "total", "", dollarsPerMillionJobs()));
        if (capacity.unpriced() > 0) {
            System.out.println("    (" + capacity.unpriced() + " DynamoDB calls of operations the model does not price are left out)");
        }
        if (capacity.approximated() > 0) {
            System.out.println("    (" + capacity.approximated() + " index writes estimated from the item after the run)");
        }
    }

    private void line(String what, double perJob, String unit, double dollars) {
        System.out.println(String.format(Locale.ROOT, "    %-52s %9.4f %-11s/job  $%.3f", what, perJob, unit,
                dollars / run.succeeded() * 1e6));
    }
}
