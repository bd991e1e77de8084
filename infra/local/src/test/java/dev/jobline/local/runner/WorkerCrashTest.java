package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.local.LocalAws;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker process dies (SIGKILL) or freezes (SIGSTOP) holding running jobs, and another takes them over: every job
 * ends SUCCEEDED within its lease plus a minute of the crash, through its own message (the sweeper is off), and
 * succeeds once. Lease and visibility are shortened through the template's parameters; the stack runs in this JVM,
 * so it outlives the runners.
 */
class WorkerCrashTest {
    private static final int LEASE_SECONDS = 4;
    private static final int VISIBILITY_SECONDS = 8;
    private static final String PARAMETERS = "JobLeaseSeconds=" + LEASE_SECONDS + " JobVisibilitySeconds=" + VISIBILITY_SECONDS;
    /** The sweeper stays off: whatever comes back, comes back through the queue. */
    private static final String[] NO_SWEEPER = {"--disable-event", "SweeperFunction.Sweep"};
    private static final int JOBS = 6;
    /** Each job sleeps this long: long enough to be caught running, several heartbeats long. */
    private static final String SLEEP_JOB = "{\"type\":\"sleep\",\"payload\":{\"seconds\":6,\"steps\":6}}";

    @TempDir
    Path dir;

    private static String status(ApiCalls api, String jobId) {
        return String.valueOf(api.get("/jobs/" + jobId).json().get("status"));
    }

    private static List<String> submitAndWaitUntilRunning(ApiCalls api) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(api.submit(SLEEP_JOB));
        }
        for (String id : ids) {
            Eventually.until(Duration.ofSeconds(60), () -> status(api, id), "RUNNING"::equals, "job " + id + " runs");
        }
        return ids;
    }

    /** How many log lines of these runners say the job succeeded, by job id. */
    private static Map<String, Integer> successes(RunnerProcess... runners) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (RunnerProcess runner : runners) {
            for (String line : runner.logLines()) {
                if (line.startsWith("{") && line.contains("\"job.succeeded\"")) {
                    counts.merge(String.valueOf(JSON.std.mapFrom(line).get("jobId")), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static boolean sweeperRecovered(RunnerProcess... runners) {
        for (RunnerProcess runner : runners) {
            if (runner.logLines().stream().anyMatch(line -> line.contains("\"sweep.recovered\""))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Integer> once(List<String> ids) {
        Map<String, Integer> expected = new HashMap<>();
        ids.forEach(id -> expected.put(id, 1));
        return expected;
    }

    @Test
    void theJobsOfAKilledWorkerEndWithinTheirLeaseAndAMinuteThroughTheirOwnMessages() throws Exception {
        try (LocalAws aws = LocalAws.start();
             RunnerProcess first = RunnerProcess.start(aws, dir.resolve("first.log"), PARAMETERS, NO_SWEEPER)) {
            ApiCalls api = new ApiCalls(first.apiUrl());
            List<String> ids = submitAndWaitUntilRunning(api);

            first.kill();
            Instant killed = Instant.now();
            try (RunnerProcess second = RunnerProcess.start(aws, dir.resolve("second.log"), PARAMETERS, NO_SWEEPER)) {
                ApiCalls survivor = new ApiCalls(second.apiUrl());
                for (String id : ids) {
                    Eventually.until(Duration.ofSeconds(LEASE_SECONDS + 60), () -> status(survivor, id), "SUCCEEDED"::equals,
                            "job " + id + " ends within lease + 60 s of the kill");
                }
                assertTrue(Duration.between(killed, Instant.now()).compareTo(Duration.ofSeconds(LEASE_SECONDS + 60)) < 0);
                for (String id : ids) {
                    assertEquals(2, ((Number) survivor.get("/jobs/" + id).json().get("attempts")).intValue(), "job " + id);
                }
                assertEquals(once(ids), successes(first, second), "each job succeeded once, in the second runner");
                assertTrue(!sweeperRecovered(first, second), "the sweeper recovered nothing");
            }
        }
    }

    @Test
    void aFrozenWorkersJobsAreTakenOverAndItsLateWritesAreRefusedWhenItWakes() throws Exception {
        try (LocalAws aws = LocalAws.start();
             RunnerProcess first = RunnerProcess.start(aws, dir.resolve("first.log"), PARAMETERS, NO_SWEEPER)) {
            ApiCalls api = new ApiCalls(first.apiUrl());
            List<String> ids = submitAndWaitUntilRunning(api);

            first.freeze();
            Map<String, Object> finished = new HashMap<>();
            try (RunnerProcess second = RunnerProcess.start(aws, dir.resolve("second.log"), PARAMETERS, NO_SWEEPER)) {
                ApiCalls survivor = new ApiCalls(second.apiUrl());
                for (String id : ids) {
                    Eventually.until(Duration.ofSeconds(LEASE_SECONDS + 60), () -> status(survivor, id), "SUCCEEDED"::equals,
                            "job " + id + " is taken over and ends");
                    finished.put(id, survivor.get("/jobs/" + id).json().get("updatedAt"));
                }

                // it wakes after the takeover, with its handlers mid-sleep and its receipt handles stale
                first.thaw();
                Thread.sleep(Duration.ofSeconds(VISIBILITY_SECONDS + 2).toMillis());

                for (String id : ids) {
                    Map<String, Object> job = survivor.get("/jobs/" + id).json();
                    assertEquals("SUCCEEDED", job.get("status"), "job " + id);
                    assertEquals(finished.get(id), job.get("updatedAt"), "nothing was written over job " + id + " after it ended");
                }
                assertEquals(once(ids), successes(first, second), "each job succeeded once");
                assertTrue(!sweeperRecovered(first, second), "the sweeper recovered nothing");
            }
        }
    }

    @Test
    void aWorkerFrozenPastItsLeaseWithNobodyToTakeOverFinishesItsJobsOnceWhenItWakes() throws Exception {
        try (LocalAws aws = LocalAws.start();
             RunnerProcess only = RunnerProcess.start(aws, dir.resolve("only.log"), PARAMETERS, NO_SWEEPER)) {
            ApiCalls api = new ApiCalls(only.apiUrl());
            List<String> ids = submitAndWaitUntilRunning(api);

            // stopped past its leases and past its messages' visibility: both ran out while nobody was there to see
            only.freeze();
            Thread.sleep(Duration.ofSeconds(VISIBILITY_SECONDS + 3).toMillis());
            only.thaw();

            for (String id : ids) {
                Eventually.until(Duration.ofSeconds(LEASE_SECONDS + 60), () -> status(api, id), "SUCCEEDED"::equals,
                        "job " + id + " ends after the worker wakes");
            }
            assertEquals(once(ids), successes(only), "each job succeeded once");
            assertTrue(!sweeperRecovered(only), "the sweeper recovered nothing");
        }
    }
}
