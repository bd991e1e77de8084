package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.LocalAwsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a data directory, a stopped runner leaves everything whole, and the next one carries on with it. */
class RunnerRestartTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RunnerOptions options(Path data) {
        return RunnerOptions.defaults(LocalAwsExtension.template())
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withDataDir(data)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log"));
    }

    private static String status(ApiCalls api, String jobId) {
        ApiCalls.Answer answer = api.get("/jobs/" + jobId);
        return answer.status() == 200 ? (String) answer.json().get("status") : "HTTP " + answer.status();
    }

    private static int visible(LocalRunner runner, String queue) {
        return runner.status().queues().stream().filter(depth -> depth.name().endsWith("-" + queue))
                .mapToInt(StackStatus.QueueDepth::visible).sum();
    }

    @Test
    void jobsAndTheirQueuedMessagesSurviveARestartAndTheNextRunnerRunsThem() {
        Path data = dir.resolve("data");
        String first;
        String second;
        // the worker's event source off: the jobs wait in the queue
        try (LocalRunner runner = LocalRunner.start(options(data).withDisabledEvents(Set.of("WorkerFunction.Jobs")))) {
            ApiCalls api = new ApiCalls(runner.apiUrl());
            first = api.submit("{\"type\":\"echo\",\"payload\":1}");
            second = api.submit("{\"type\":\"echo\",\"payload\":2}");
            assertEquals(2, visible(runner, "JobsQueue"));
        }
        assertTrue(Files.isDirectory(data.resolve("dynamodb")) && Files.exists(data.resolve("sqs/elasticmq.mv.db")));

        try (LocalRunner runner = LocalRunner.start(options(data))) {
            ApiCalls api = new ApiCalls(runner.apiUrl());
            assertTrue(Set.of("QUEUED", "RUNNING", "SUCCEEDED").contains(status(api, first)), "the job is still there");

            Eventually.until(BOUND, () -> status(api, first), "SUCCEEDED"::equals, "the first job runs");
            Eventually.until(BOUND, () -> status(api, second), "SUCCEEDED"::equals, "the second job runs");
            assertEquals(2, api.get("/jobs/" + second).json().get("result"));
            assertEquals(0, visible(runner, "JobsQueue"));
        }
    }

    @Test
    void stoppingLetsAJobUnderWayFinishAndLeavesNothingHalfWritten() {
        Path data = dir.resolve("data");
        String jobId;
        try (LocalRunner runner = LocalRunner.start(options(data))) {
            ApiCalls api = new ApiCalls(runner.apiUrl());
            jobId = api.submit("{\"type\":\"sleep\",\"payload\":{\"seconds\":3,\"steps\":3}}");
            Eventually.until(BOUND, () -> status(api, jobId), "RUNNING"::equals, "the job starts");
        }   // close() while the job sleeps

        try (LocalRunner runner = LocalRunner.start(options(data).withDisabledEvents(Set.of("WorkerFunction.Jobs")))) {
            ApiCalls api = new ApiCalls(runner.apiUrl());
            assertEquals("SUCCEEDED", status(api, jobId), "the invocation under way finished before the stack stopped");
            assertEquals(0, visible(runner, "JobsQueue") + runner.status().queues().stream()
                    .mapToInt(StackStatus.QueueDepth::inFlight).sum(), "and its message was deleted");
        }
    }
}
