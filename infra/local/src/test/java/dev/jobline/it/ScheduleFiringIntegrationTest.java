package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.scheduler.Scheduler;
import dev.jobline.scheduler.SchedulerHandler;
import dev.jobline.schedule.Schedule;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.store.ScheduleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduler function on the real table and queue, driven as its EventBridge rule would, with the clock moved on
 * between passes: overlap skip, enqueue and allow; pause and resume; two invocations at once; a crash between the
 * job's write and the schedule's move; a long gap; a fire the quota refuses. No lookahead here (each pass makes only
 * the fires already due), so every message is sent without a delay.
 */
@ExtendWith(LocalAwsExtension.class)
class ScheduleFiringIntegrationTest {
    private static final Map<String, String> DUE_ONLY = Map.of("SCHEDULE_LOOKAHEAD_SECONDS", "0");
    private static final Duration PERIOD = Duration.ofMinutes(1);

    private static String everyMinute(String name, String overlap, String job) {
        return "{\"name\":\"" + name + "\",\"rate\":\"1 minute\",\"overlap\":\"" + overlap + "\",\"job\":" + job + "}";
    }

    private static Map<String, Object> created(Jobline jobline, String body) {
        APIGatewayV2HTTPResponse response = jobline.schedule("POST", "/schedules", body);
        assertEquals(201, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    private static Map<String, Object> read(Jobline jobline, String name) {
        APIGatewayV2HTTPResponse response = jobline.schedule("GET", "/schedules/" + name, null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> runs(Jobline jobline, String name) {
        return (List<Map<String, Object>>) read(jobline, name).get("lastRuns");
    }

    /** Moves the clock one period on and runs a scheduler pass. */
    private static Map<String, Object> nextFire(Jobline jobline) {
        jobline.clock.advance(PERIOD);
        return jobline.fireSchedules();
    }

    @Test
    void overlapSkipSkipsAFireWhileThePreviousJobWaitsOrRunsAndFiresAgainOnceItEnded(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("hourly-sync", "skip", "{\"type\":\"count\"}"));

        assertEquals(1, nextFire(jobline).get("created"));
        String first = (String) runs(jobline, "hourly-sync").get(0).get("jobId");
        Map<String, Object> whileQueued = nextFire(jobline);
        jobline.wiring.lifecycle().claim(first, new Lease("attempt-1", jobline.clock.instant().plusSeconds(60)));
        Map<String, Object> whileRunning = nextFire(jobline);

        assertEquals(1, whileQueued.get("skipped"), whileQueued.toString());
        assertEquals(1, whileRunning.get("skipped"), whileRunning.toString());
        List<Map<String, Object>> runs = runs(jobline, "hourly-sync");
        assertEquals(List.of("skipped", "skipped", "created"), runs.stream().map(run -> run.get("outcome")).toList());
        assertTrue(((String) runs.get(0).get("detail")).contains(first), runs.toString());
        assertEquals("RUNNING", runs.get(2).get("jobStatus"));
        assertEquals(1, jobline.storedItems(), "the skipped fires made no job");

        // the previous job ends: the next fire makes a job again
        Job running = jobline.job(first);
        jobline.wiring.lifecycle().succeed(running, new Lease("attempt-1", running.leaseExpiresAt()), "1", null, null, Duration.ZERO);
        assertEquals(1, nextFire(jobline).get("created"));
        assertEquals(2, jobline.storedItems());
    }

    @Test
    void aSkipFireMadeAheadWaitsForItsTimeToDecideWhetherThePreviousJobStillRuns(LocalAws aws, LocalResources resources) {
        // the template's lookahead: fires up to a minute ahead are made at once
        Jobline jobline = new Jobline(aws, resources, Map.of("SCHEDULE_LOOKAHEAD_SECONDS", "60"));
        created(jobline, everyMinute("sync", "skip", "{\"type\":\"count\"}"));
        jobline.fireSchedules();
        String first = (String) runs(jobline, "sync").get(0).get("jobId");
        jobline.clock.advance(Duration.ofSeconds(61));
        jobline.wiring.lifecycle().claim(first, new Lease("attempt-1", jobline.clock.instant().plusSeconds(300)));

        // the second fire is ahead and the first job runs: not decided yet
        Map<String, Object> ahead = jobline.fireSchedules();
        assertEquals(1, ahead.get("deferred"), ahead.toString());
        assertEquals(0, ahead.get("skipped"), ahead.toString());
        // the first job ends before the second fire's time: the pass after it makes the second job
        Job running = jobline.job(first);
        jobline.wiring.lifecycle().succeed(running, new Lease("attempt-1", running.leaseExpiresAt()), "1", null, null, Duration.ZERO);
        jobline.clock.advance(Duration.ofSeconds(60));
        Map<String, Object> due = jobline.fireSchedules();

        assertEquals(1, due.get("created"), due.toString());
        assertEquals(1, due.get("deferred"), "the third, ahead, meets the second job's key: " + due);
        // the second job has not run when the third fire's time has passed: that fire is skipped
        jobline.clock.advance(Duration.ofSeconds(60));
        Map<String, Object> past = jobline.fireSchedules();

        assertEquals(1, past.get("skipped"), past.toString());
        List<Map<String, Object>> runs = runs(jobline, "sync");
        assertEquals(List.of("skipped", "created", "created"), runs.stream().map(run -> run.get("outcome")).toList());
    }

    @Test
    void overlapEnqueueQueuesAFireWhileThePreviousRunsButSkipsOneWhileAnotherWaits(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("report", "enqueue", "{\"type\":\"count\"}"));
        nextFire(jobline);
        String first = (String) runs(jobline, "report").get(0).get("jobId");
        jobline.wiring.lifecycle().claim(first, new Lease("attempt-1", jobline.clock.instant().plusSeconds(120)));

        Map<String, Object> whileRunning = nextFire(jobline);
        Map<String, Object> whileTheSecondWaits = nextFire(jobline);

        assertEquals(1, whileRunning.get("created"), whileRunning.toString());
        assertEquals(1, whileTheSecondWaits.get("skipped"), whileTheSecondWaits.toString());
        List<Map<String, Object>> runs = runs(jobline, "report");
        assertEquals(List.of("skipped", "created", "created"), runs.stream().map(run -> run.get("outcome")).toList());
        assertEquals("QUEUED", runs.get(1).get("jobStatus"));
        assertEquals("RUNNING", runs.get(2).get("jobStatus"));
    }

    @Test
    void overlapAllowMakesAJobAtEveryFireWhateverThePreviousDoes(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("ping", "allow", "{\"type\":\"count\"}"));

        for (int fire = 0; fire < 3; fire++) {
            assertEquals(1, nextFire(jobline).get("created"));
        }

        assertEquals(3, jobline.storedItems());
        assertEquals(3, jobline.visibleMessages(), "each fire's job was sent");
    }

    @Test
    void aPausedScheduleMakesNoJobAndAResumedOneFiresFromNowOn(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("nightly", "allow", "{\"type\":\"count\"}"));
        APIGatewayV2HTTPResponse paused = jobline.schedule("PATCH", "/schedules/nightly", "{\"paused\":true}");
        assertEquals(200, paused.getStatusCode(), paused.getBody());
        assertEquals("paused", Json.parseObject(paused.getBody()).get("state"));

        for (int fire = 0; fire < 3; fire++) {
            assertEquals(0, nextFire(jobline).get("schedulesRead"), "a paused schedule is not in the due index");
        }
        assertEquals(0, jobline.storedItems());

        Instant resumedAt = jobline.clock.instant();
        APIGatewayV2HTTPResponse resumed = jobline.schedule("PATCH", "/schedules/nightly", "{\"paused\":false}");
        assertEquals(200, resumed.getStatusCode(), resumed.getBody());
        Instant next = Instant.parse((String) Json.parseObject(resumed.getBody()).get("nextFireAt"));
        assertTrue(next.isAfter(resumedAt), "the fires missed while paused are not made up: " + next);
        assertEquals(1, nextFire(jobline).get("created"));
        assertEquals(1, jobline.storedItems());
        assertNull(runs(jobline, "nightly").get(0).get("missedSince"));
    }

    @Test
    void twoSchedulerInvocationsAtOnceMakeExactlyOneJobPerFire(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        for (int schedule = 0; schedule < 4; schedule++) {
            created(jobline, everyMinute("s" + schedule, "allow", "{\"type\":\"count\"}"));
        }
        SchedulerHandler one = jobline.newScheduler();
        SchedulerHandler other = jobline.newScheduler();

        int created = 0;
        for (int fire = 0; fire < 5; fire++) {
            jobline.clock.advance(PERIOD);
            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<Map<String, Object>> first = CompletableFuture.supplyAsync(() -> { await(start); return jobline.fireSchedules(one); });
            CompletableFuture<Map<String, Object>> second = CompletableFuture.supplyAsync(() -> { await(start); return jobline.fireSchedules(other); });
            created += (int) first.get().get("created") + (int) second.get().get("created");
        }

        assertEquals(20, created, "4 schedules x 5 fires, each made by one of the two");
        assertEquals(20, jobline.storedItems());
        Set<String> jobIds = new HashSet<>();
        for (int schedule = 0; schedule < 4; schedule++) {
            List<Map<String, Object>> runs = runs(jobline, "s" + schedule);
            assertEquals(5, runs.size(), runs.toString());
            assertEquals(5, runs.stream().map(run -> run.get("fireAt")).distinct().count(), "no fire recorded twice: " + runs);
            runs.forEach(run -> jobIds.add((String) run.get("jobId")));
        }
        assertEquals(20, jobIds.size());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSchedulerThatDiesAtItsSendWritesNothingAndTheNextPassMakesTheFire(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("crashy", "skip", "{\"type\":\"count\"}"));
        jobline.clock.advance(PERIOD);
        // the invocation dies at its send: the message goes first, so nothing was written
        SchedulerHandler crashing = new SchedulerHandler(new Scheduler(jobline.schedulerWiring.lifecycle(),
                jobline.schedulerWiring.schedules(), jobline.schedulerWiring.store(), new DyingQueue(), jobline.wiring.registry(),
                262_144, Duration.ZERO));
        Instant due = jobline.schedules().find("tenant-a", "crashy").orElseThrow().nextFireAt();

        jobline.fireSchedules(crashing);

        assertEquals(0, jobline.storedItems(), "no job without its message");
        assertEquals(0, jobline.visibleMessages());
        assertEquals(due, jobline.schedules().find("tenant-a", "crashy").orElseThrow().nextFireAt(), "the schedule did not move");

        Map<String, Object> next = jobline.fireSchedules();

        assertEquals(1, next.get("created"), next.toString());
        Schedule moved = jobline.schedules().find("tenant-a", "crashy").orElseThrow();
        assertEquals(due.plus(PERIOD), moved.nextFireAt());
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(moved.runs().get(0).jobId()).status());
        assertEquals(1, jobline.countedRuns.get());
    }

    @Test
    void aSchedulerThatDiesBetweenItsSendAndTheJobsWriteLeavesAMessageTheNextPassesJobRunsOnceUnder(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("halfway", "skip", "{\"type\":\"count\"}"));
        jobline.clock.advance(PERIOD);
        JobStore store = jobline.schedulerWiring.store();
        JobStore dyingAtTheWrite = (JobStore) java.lang.reflect.Proxy.newProxyInstance(JobStore.class.getClassLoader(),
                new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("create")) {
                        throw new IllegalStateException("the function died here");
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SchedulerHandler crashing = new SchedulerHandler(new Scheduler(jobline.schedulerWiring.lifecycle().over(dyingAtTheWrite),
                jobline.schedulerWiring.schedules(), store, jobline.schedulerWiring.queue(), jobline.wiring.registry(), 262_144, Duration.ZERO));

        jobline.fireSchedules(crashing);
        assertEquals(0, jobline.storedItems(), "the job was never written");
        assertEquals(1, jobline.visibleMessages(), "its message was sent");

        Map<String, Object> next = jobline.fireSchedules();

        assertEquals(1, next.get("created"), next.toString());
        assertEquals(2, jobline.visibleMessages(), "the dead invocation's message and the next pass's");
        // the first message names the same derived id as the job the next pass wrote: both deliver it, it runs once
        SQSEvent both = jobline.receive(Duration.ofSeconds(2));
        if (both.getRecords().size() < 2) {
            both.getRecords().addAll(jobline.receive(Duration.ofSeconds(2)).getRecords());
        }
        jobline.deliver(both);
        assertEquals(1, jobline.countedRuns.get());
        Schedule moved = jobline.schedules().find("tenant-a", "halfway").orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(moved.runs().get(0).jobId()).status());
    }

    /** A queue whose send kills the invocation (not a failed send, which the scheduler survives). */
    private static final class DyingQueue implements JobQueue {
        @Override public void send(JobMessage message) { throw new IllegalStateException("the function died here"); }
        @Override public List<JobMessage> sendAll(List<JobMessage> messages) { throw new IllegalStateException("the function died here"); }
        @Override public void resend(ReceivedMessage message, Duration delay) { throw new UnsupportedOperationException(); }
        @Override public void hide(ReceivedMessage message, Duration visibility) { throw new UnsupportedOperationException(); }
    }

    @Test
    void afterALongGapAScheduleFiresOnceForTheMissedPeriod(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("minutely", "allow", "{\"type\":\"count\"}"));
        nextFire(jobline);
        Instant firstMissed = jobline.schedules().find("tenant-a", "minutely").orElseThrow().nextFireAt();

        // the scheduler did not run for three hours
        jobline.clock.advance(Duration.ofHours(3).plusSeconds(20));
        Map<String, Object> after = jobline.fireSchedules();
        Map<String, Object> again = jobline.fireSchedules();

        assertEquals(1, after.get("created"), "one fire for 180 missed ones: " + after);
        assertEquals(0, again.get("created"), again.toString());
        assertEquals(2, jobline.storedItems());
        Map<String, Object> run = runs(jobline, "minutely").get(0);
        Instant fired = Instant.parse((String) run.get("fireAt"));
        // now is firstMissed + 179 min 20 s: 180 fires missed, the last of them 179 minutes after the first
        assertEquals(firstMissed.plus(Duration.ofMinutes(179)), fired, "the latest missed fire time");
        assertEquals(firstMissed.toString(), run.get("missedSince"));
        Instant next = Instant.parse((String) read(jobline, "minutely").get("nextFireAt"));
        assertEquals(fired.plus(PERIOD), next);
    }

    @Test
    void aFireTheTenantsQuotaRefusesIsRecordedOnTheScheduleAndMakesNoJob(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("SCHEDULE_LOOKAHEAD_SECONDS", "0", "TENANT_MAX_IN_FLIGHT", "1"));
        created(jobline, everyMinute("greedy", "allow", "{\"type\":\"count\"}"));

        nextFire(jobline);
        Map<String, Object> refused = nextFire(jobline);

        assertEquals(1, refused.get("refused"), refused.toString());
        Map<String, Object> run = runs(jobline, "greedy").get(0);
        assertEquals("refused", run.get("outcome"));
        assertTrue(((String) run.get("detail")).contains("maxInFlight"), run.toString());
        assertEquals(1, jobline.storedItems());
    }

    @Test
    void aScheduleWhoseJobTypeIsGoneRecordsAnInvalidFire(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, DUE_ONLY);
        created(jobline, everyMinute("orphan", "allow", "{\"type\":\"count\"}"));
        ScheduleStore store = jobline.schedules();
        Schedule schedule = store.find("tenant-a", "orphan").orElseThrow();
        store.replace(new Schedule(schedule.tenantId(), schedule.name(), schedule.scheduleId(), schedule.cron(), schedule.timeZone(),
                schedule.rate(), schedule.anchor(), "{\"type\":\"retired-type\"}", schedule.overlap(), null, null, false,
                schedule.nextFireAt(), schedule.createdAt(), schedule.updatedAt(), schedule.version() + 1, List.of()), schedule.version());

        Map<String, Object> pass = nextFire(jobline);

        assertEquals(1, pass.get("invalid"), pass.toString());
        assertEquals("invalid", runs(jobline, "orphan").get(0).get("outcome"));
        assertEquals(0, jobline.storedItems());
    }
}
