package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.LocalAwsExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rate schedule run by the runner as by a deployment: the template's SchedulerFunction fired by its emulated
 * EventBridge rule (sped up to every second, as {@code --schedule-rate 1s}), its jobs run by the worker's event source.
 * Each fire's job is made ahead and sent delayed to its fire time: it starts within a few seconds of it.
 */
class ScheduleRunnerTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** SQS delays in whole seconds (rounded up), then the event source's 1 s batching window and the claim: within this even on a loaded machine. */
    private static final Duration ON_TIME = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private LocalRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRateScheduleFiresOnTimeRepeatedlyUnderTheRunnersScheduleEmulation() {
        runner = LocalRunner.start(RunnerOptions.defaults(LocalAwsExtension.template())
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log"))
                .withScheduleRate(Duration.ofSeconds(1))
                .withEnvironment(Map.of(
                        "Parameters", Map.of("SCHEDULE_MIN_RATE_SECONDS", "1"),
                        "SchedulerFunction", Map.of("SCHEDULE_LOOKAHEAD_SECONDS", "2"))));
        ApiCalls api = new ApiCalls(runner.apiUrl());

        ApiCalls.Answer created = api.postJson("/schedules",
                "{\"name\":\"tick\",\"rate\":\"3 seconds\",\"overlap\":\"allow\",\"job\":{\"type\":\"echo\",\"payload\":\"tick\"}}");
        assertEquals(201, created.status(), created.body());

        List<Map<String, Object>> runs = Eventually.until(BOUND,
                () -> (List<Map<String, Object>>) api.get("/schedules/tick").json().get("lastRuns"),
                list -> list.size() >= 6 && list.subList(list.size() - 5, list.size()).stream()
                        .allMatch(run -> "SUCCEEDED".equals(run.get("jobStatus"))),
                "five fires of 'tick' whose jobs succeeded");

        // the oldest five kept runs, oldest first
        List<Map<String, Object>> fires = new ArrayList<>(runs.subList(runs.size() - 5, runs.size()));
        java.util.Collections.reverse(fires);
        List<String> figures = new ArrayList<>();
        Instant previous = null;
        for (Map<String, Object> run : fires) {
            assertEquals("created", run.get("outcome"), run.toString());
            Instant fireAt = Instant.parse((String) run.get("fireAt"));
            if (previous != null) {
                assertEquals(Duration.ofSeconds(3), Duration.between(previous, fireAt), "one fire per period, none missed: " + fires);
            }
            previous = fireAt;
            Map<String, Object> job = api.get("/jobs/" + run.get("jobId")).json();
            Instant createdAt = Instant.parse((String) job.get("createdAt"));
            Instant startedAt = Instant.parse((String) job.get("startedAt"));
            Duration late = Duration.between(fireAt, startedAt);
            figures.add(String.format(Locale.ROOT, "fire %s: made %d ms ahead, started %d ms after", fireAt,
                    Duration.between(createdAt, fireAt).toMillis(), late.toMillis()));
            assertEquals(fireAt.toString(), job.get("runAt"), "the job is due at its fire time");
            assertTrue(!late.isNegative(), "a job never starts before its fire: " + figures);
            assertTrue(late.compareTo(ON_TIME) < 0, "started within " + ON_TIME.toMillis() + " ms of its fire: " + figures);
        }
        System.out.println("schedule lateness: " + String.join("; ", figures));

        // the live view lists it: name, next fire, its latest run
        List<String> view = TerminalView.scheduleLines(runner.status());
        assertEquals(1, view.size(), view.toString());
        assertTrue(view.get(0).contains("local-dev/tick") && view.get(0).contains("created"), view.toString());
    }
}
