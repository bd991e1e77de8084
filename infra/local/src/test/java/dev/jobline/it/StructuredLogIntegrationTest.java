package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.JobStatus;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import dev.jobline.metrics.JobMetrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the functions log is one JSON object a line, in Lambda's JSON log shape, and every line about a job names it. */
@ExtendWith(LocalAwsExtension.class)
class StructuredLogIntegrationTest {
    private final CapturedLines logs = new CapturedLines();
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
        Log.redirect(logs.stream);
        JobMetrics.redirect(new PrintStream(OutputStream.nullOutputStream()));   // EMF lines are MetricsIntegrationTest's
    }

    @AfterEach
    void stop() {
        Log.redirect(System.out);
        JobMetrics.redirect(null);
    }

    @Test
    void everyLineIsJsonWithLevelTimeFunctionAndRequestIdAndEveryLineOfAJobCarriesItsId() {
        // a job that fails once, waits out its backoff and succeeds: submit, two worker invocations
        String jobId = jobline.submit("fail", "{\"failTimes\":1,\"code\":\"FLAKY\"}");
        jobline.receiveAndDeliver();
        var retry = jobline.receive(Duration.ofSeconds(5));
        if (retry.getRecords().isEmpty()) {
            retry = jobline.receive(Duration.ofSeconds(5));
        }
        jobline.deliver(retry);
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());

        List<Map<String, Object>> lines = logs.objects();
        assertFalse(lines.isEmpty(), "the functions logged nothing");
        for (Map<String, Object> line : lines) {
            assertTrue(Set.of("INFO", "WARN", "ERROR").contains(line.get("level")), "level: " + line);
            Instant.parse((String) line.get("timestamp"));   // RFC 3339, as Lambda reads it
            assertInstanceOf(String.class, line.get("function"), "function: " + line);
            assertInstanceOf(String.class, line.get("requestId"), "requestId: " + line);
            assertInstanceOf(String.class, line.get("event"), "event: " + line);
        }
        // the invocations that handled the job are the ones with a line naming it; every line they wrote names it
        Set<Object> invocations = new HashSet<>();
        Set<Object> functions = new HashSet<>();
        for (Map<String, Object> line : lines) {
            if (jobId.equals(line.get("jobId"))) {
                invocations.add(line.get("requestId"));
                functions.add(line.get("function"));
            }
        }
        assertEquals(Set.of("ApiFunction", "WorkerFunction"), functions, "the submit and both attempts logged about the job");
        assertTrue(invocations.size() >= 3, "one API and two worker invocations: " + invocations);
        for (Map<String, Object> line : lines) {
            if (invocations.contains(line.get("requestId"))) {
                assertEquals(jobId, line.get("jobId"), "a line of an invocation that handled the job: " + line);
            }
        }
        // the worker's lines carry the job's tenant, type and attempt
        for (Map<String, Object> line : lines) {
            if ("WorkerFunction".equals(line.get("function")) && jobId.equals(line.get("jobId"))
                    && !"message.released".equals(line.get("event"))) {
                assertEquals("tenant-a", line.get("tenantId"), line.toString());
                assertEquals("fail", line.get("type"), line.toString());
                assertInstanceOf(Number.class, line.get("attempt"), line.toString());
            }
        }
    }
}
