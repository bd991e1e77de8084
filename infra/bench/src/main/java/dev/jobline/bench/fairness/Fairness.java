package dev.jobline.bench.fairness;

import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.stack.Repo;
import dev.jobline.config.Config;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fair scheduling (issue 14): how long tenant B's jobs wait while tenant A floods the queue, with and without the
 * per-tenant running cap (TENANT_MAX_RUNNING), against B on an idle system, in one run. Each scenario runs on tables
 * and queues of its own, through the real ApiHandler and WorkerHandler, the worker fed by the emulated SQS event
 * source (batches, batching window, partial batch failures; the worker's own visibility changes).
 *
 * <p>ElasticMQ accepts MessageGroupId but hands out a standard queue's messages by when they became visible, whatever
 * their group; SQS fair queues would de-prioritise the noisy group on top. So what this measures is the cap alone.
 *
 * <p>Usage: {@code Fairness [--a-jobs 2000] [--b-jobs 50] [--cap 20] [--sleep-ms 300] [--pollers 4] [--submitters 4]
 * [--warmup 200] [--timeout 600]}.
 */
public final class Fairness {

    public static void main(String[] args) throws Exception {
        int aJobs = option(args, "--a-jobs", 2000);
        int bJobs = option(args, "--b-jobs", 50);
        int pollers = option(args, "--pollers", 4);
        int submitters = option(args, "--submitters", 4);
        int sleepMillis = option(args, "--sleep-ms", 300);
        int warmup = option(args, "--warmup", 200);
        int timeout = option(args, "--timeout", 600);
        // every emulated environment shares this JVM's keep-alive cache (http.maxConnections, 5 by default)
        System.setProperty("http.maxConnections", Integer.toString(10 * (pollers + submitters)));

        Repo repo = Repo.locate();
        Repo.FunctionLogs functionLogs = repo.redirectFunctionLogs("fairness-functions.log");
        String loadBefore = Machine.load();
        try (LocalAws aws = LocalAws.start()) {
            FloodRun runs = new FloodRun(aws, repo.template(), repo.event("api-submit-sleep-job.json"), pollers, submitters,
                    sleepMillis, timeout, Math.max(aJobs, warmup));
            // the worker's parallelism and batch size are the template's: read them from a stack of its own
            int parallelism;
            int batchSize;
            try (LocalResources probe = aws.provision(repo.template())) {
                parallelism = Config.from(probe.environment("WorkerFunction")).workerParallelism();
                batchSize = probe.function("WorkerFunction").events("SQS").get(0).batchSize();
            }
            int capacity = pollers * Math.min(batchSize, parallelism);
            int cap = option(args, "--cap", capacity / 2);
            System.out.println("Fairness: tenant A floods " + aJobs + " sleep jobs (" + sleepMillis + " ms each), then tenant B submits "
                    + bJobs + "; B alone, and the flood without and with a per-tenant running cap of " + cap);
            System.out.println("  worker: " + pollers + " event-source pollers on JobsQueue (BatchSize " + batchSize
                    + ", window 1 s, ReportBatchItemFailures), WORKER_PARALLELISM " + parallelism + ": at most "
                    + capacity + " attempts at once; cap " + cap + " of them per tenant");
            System.out.println("  A submits by POST /jobs/batch (100 a request, " + submitters + " at once), B by POST /jobs, one at a time,"
                    + " once A's jobs are all accepted and the first is running");
            System.out.println("  machine: " + Machine.describe());
            System.out.println("  function logs: " + functionLogs.file());

            if (warmup > 0) {
                FloodRun.Outcome warm = runs.run(new FloodRun.Scenario("warm-up", warmup, Math.max(1, warmup / 10), cap));
                System.out.println(String.format(Locale.ROOT, "  warm-up (not reported): %d + %d jobs in %.1f s%s",
                        warmup, Math.max(1, warmup / 10), warm.seconds(), warm.problems().isEmpty() ? "" : ", PROBLEMS " + warm.problems()));
            }
            List<FloodRun.Outcome> outcomes = new ArrayList<>();
            for (FloodRun.Scenario scenario : List.of(
                    new FloodRun.Scenario("B alone, no cap", 0, bJobs, 0),
                    new FloodRun.Scenario("B alone, cap " + cap, 0, bJobs, cap),
                    new FloodRun.Scenario("A flood + B, no cap", aJobs, bJobs, 0),
                    new FloodRun.Scenario("A flood + B, cap " + cap, aJobs, bJobs, cap))) {
                FloodRun.Outcome outcome = runs.run(scenario);
                System.out.println(String.format(Locale.ROOT, "  %-24s done in %5.1f s (%s)%s", scenario.name(),
                        outcome.seconds(), outcome.loadAfter(), outcome.problems().isEmpty() ? "" : "  PROBLEMS: " + outcome.problems()));
                outcomes.add(outcome);
            }
            functionLogs.out().flush();
            String loadAfter = Machine.load();
            print(outcomes, cap, loadBefore, loadAfter);
            Path json = repo.root().resolve("infra/bench/target/fairness.json");
            Files.writeString(json, Json.write(json(outcomes, aJobs, bJobs, cap, sleepMillis, pollers, parallelism, batchSize,
                    capacity, loadBefore, loadAfter)));
            System.out.println("  written: " + repo.root().relativize(json));
            if (outcomes.stream().anyMatch(outcome -> !outcome.problems().isEmpty())) {
                System.exit(1);
            }
        } finally {
            functionLogs.out().flush();
        }
    }

    private static void print(List<FloodRun.Outcome> outcomes, int cap, String loadBefore, String loadAfter) {
        System.out.println();
        System.out.println("Tenant B's jobs (milliseconds; wait = submission accepted to its claim, end to end = to SUCCEEDED)");
        System.out.println("| scenario | B wait p50 | B wait p95 | B wait max | B end-to-end p50 | B end-to-end p95 | A drain | A jobs/s | most running A / B | jobs that waited for a limit A / B | all succeeded once |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (FloodRun.Outcome o : outcomes) {
            boolean flood = o.scenario().aJobs() > 0;
            System.out.println(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s | %s | %s / %d | %s / %d | %s |",
                    o.scenario().name(), o.b().queueWait().p50(), o.b().queueWait().p95(), o.b().queueWait().max(), o.b().endToEnd().p50(),
                    o.b().endToEnd().p95(), flood ? String.format(Locale.ROOT, "%.1f s", o.a().drainMillis() / 1000.0) : "-",
                    flood ? String.format(Locale.ROOT, "%.1f", o.a().jobsPerSecond()) : "-",
                    flood ? Integer.toString(o.a().mostRunning()) : "-", o.b().mostRunning(),
                    flood ? Long.toString(o.aWaited()) : "-", o.bWaited(),
                    o.problems().isEmpty() ? "yes (" + (o.a().succeededOnce() + o.b().succeededOnce()) + ")" : "NO"));
        }
        for (FloodRun.Outcome o : outcomes) {
            if (o.scenario().aJobs() > 0) {
                System.out.println(String.format(Locale.ROOT, "  %s: B's first submission came %.1f s after A's first, when %d of A's %d jobs"
                                + " had started; A ran %.1f jobs at once on average (most %d)", o.scenario().name(),
                        (o.b().firstCreatedAt() - o.a().firstCreatedAt()) / 1000.0, o.aStartedBeforeB(), o.a().jobs(),
                        o.a().meanRunning(), o.a().mostRunning()));
            }
        }
        FloodRun.Outcome aloneNoCap = outcomes.get(0);
        FloodRun.Outcome aloneCap = outcomes.get(1);
        FloodRun.Outcome floodNoCap = outcomes.get(2);
        FloodRun.Outcome floodCap = outcomes.get(3);
        System.out.println(String.format(Locale.ROOT, "  B's p95 wait, flood without cap: %.1fx B alone (no cap)",
                ratio(floodNoCap, aloneNoCap)));
        System.out.println(String.format(Locale.ROOT, "  B's p95 wait, flood with cap %d: %.1fx B alone with the same cap (goal <= 2x: %s), %.1fx B alone without a cap (%s)",
                cap, ratio(floodCap, aloneCap), ratio(floodCap, aloneCap) <= 2 ? "met" : "MISSED",
                ratio(floodCap, aloneNoCap), ratio(floodCap, aloneNoCap) <= 2 ? "within 2x" : "over 2x"));
        System.out.println("  machine: " + loadBefore + " before, " + loadAfter + " after");
    }

    private static double ratio(FloodRun.Outcome flood, FloodRun.Outcome alone) {
        return flood.b().queueWait().p95() / (double) Math.max(1, alone.b().queueWait().p95());
    }

    private static Map<String, Object> json(List<FloodRun.Outcome> outcomes, int aJobs, int bJobs, int cap, int sleepMillis,
                                            int pollers, int parallelism, int batchSize, int capacity, String loadBefore,
                                            String loadAfter) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "fairness");
        json.put("at", Instant.now().toString());
        json.put("machine", Machine.describe());
        json.put("loadBefore", loadBefore);
        json.put("loadAfter", loadAfter);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("aJobs", aJobs);
        settings.put("bJobs", bJobs);
        settings.put("sleepMillis", sleepMillis);
        settings.put("pollers", pollers);
        settings.put("batchSize", batchSize);
        settings.put("workerParallelism", parallelism);
        settings.put("mostAttemptsAtOnce", capacity);
        settings.put("tenantMaxRunning", cap);
        json.put("settings", settings);
        List<Object> scenarios = new ArrayList<>();
        for (FloodRun.Outcome o : outcomes) {
            Map<String, Object> scenario = new LinkedHashMap<>();
            scenario.put("name", o.scenario().name());
            scenario.put("tenantMaxRunning", o.scenario().cap());
            scenario.put("seconds", Math.round(o.seconds() * 10) / 10.0);
            scenario.put("tenantA", o.scenario().aJobs() > 0 ? o.a().json() : null);
            scenario.put("tenantB", o.b().json());
            scenario.put("aJobsStartedBeforeBsFirstSubmit", o.aStartedBeforeB());
            scenario.put("jobsThatWaitedForALimit", Map.of("A", o.aWaited(), "B", o.bWaited()));
            scenario.put("sdkCalls", o.calls());
            scenario.put("sdkCallsRefused", o.refusedCalls());
            scenario.put("problems", o.problems());
            scenario.put("loadBefore", o.loadBefore());
            scenario.put("loadAfter", o.loadAfter());
            scenarios.add(scenario);
        }
        json.put("scenarios", scenarios);
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("bP95WaitFloodNoCapOverAloneNoCap", round(ratio(outcomes.get(2), outcomes.get(0))));
        ratios.put("bP95WaitFloodCapOverAloneCap", round(ratio(outcomes.get(3), outcomes.get(1))));
        ratios.put("bP95WaitFloodCapOverAloneNoCap", round(ratio(outcomes.get(3), outcomes.get(0))));
        json.put("ratios", ratios);
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
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
