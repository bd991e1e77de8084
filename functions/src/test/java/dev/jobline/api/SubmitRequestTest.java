package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.JobRegistry;
import dev.jobline.jobs.JobCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubmitRequestTest {
    private final JobRegistry registry = JobCatalog.registry();

    private Problem rejected(String body) {
        return assertThrows(Problem.class, () -> SubmitRequest.parse(body, registry, 1024, java.time.Instant.parse("2026-11-24T12:00:00Z")));
    }

    @Test
    void aMinimalSubmissionTakesTheTypesLimits() {
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\"}", registry, 1024, java.time.Instant.parse("2026-11-24T12:00:00Z"));
        assertEquals("echo", request.type().name());
        assertEquals("null", request.payloadJson());
        assertEquals(request.type().maxAttempts(), request.maxAttempts());
        assertEquals(request.type().timeout().toSeconds(), request.timeoutSeconds());
    }

    @Test
    void aNullPayloadIsAPayloadAndAPriorityInCapitalsIsAPriority() {
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\",\"payload\":null,\"priority\":\"HIGH\"}", registry, 1024,
                java.time.Instant.parse("2026-11-24T12:00:00Z"));
        assertEquals("null", request.payloadJson());
        assertEquals(dev.jobline.job.Priority.HIGH, request.priority());
    }

    @Test
    void payloadDecimalsAreKeptExactly() {
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\",\"payload\":{\"price\":1.10}}", registry, 1024, java.time.Instant.parse("2026-11-24T12:00:00Z"));
        assertEquals("{\"price\":1.10}", request.payloadJson());
    }

    @Test
    void anUnknownTypeNamesTheKnownOnes() {
        Problem problem = rejected("{\"type\":\"nope\"}");
        assertEquals(400, problem.status());
        assertTrue(problem.toResponse().body().contains("\"knownTypes\":[\"echo\",\"sleep\",\"fail\",\"scan-site\"]"), problem.toResponse().body());
    }

    @Test
    void aPayloadOverTheLimitIs413() {
        Problem problem = rejected("{\"type\":\"echo\",\"payload\":\"" + "x".repeat(2000) + "\"}");
        assertEquals(413, problem.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "[1,2]",
        "{\"type\":\"echo\"} trailing",
        "{\"type\":\"echo\",\"type\":\"sleep\"}",
        "{}",
        "{\"type\":7}",
        "{\"type\":\"echo\",\"color\":\"red\"}",
        "{\"type\":\"echo\",\"maxAttempts\":0}",
        "{\"type\":\"echo\",\"maxAttempts\":21}",
        "{\"type\":\"echo\",\"maxAttempts\":1.5}",
        "{\"type\":\"echo\",\"maxAttempts\":\"3\"}",
        "{\"type\":\"echo\",\"timeoutSeconds\":99999999999999999999999}",
        "{\"type\":\"echo\",\"timeoutSeconds\":3600}",
        "{\"type\":\"echo\",\"maxAttempts\":null}",
        "{\"type\":\"echo\",\"priority\":null}",
        "{\"type\":\"echo\",\"callbackUrl\":null}",
        "{\"type\":\"echo\",\"runAt\":\"1969-12-31T23:59:59Z\"}",
        "{\"type\":\"echo\",\"payload\":\"\\ud800\"}",
        "{\"type\":\"echo\",\"payload\":{\"\\udc00\":1}}"
    })
    void malformedOrWrongSubmissionsAre400(String body) {
        Problem problem = rejected(body);
        assertEquals(400, problem.status(), problem.getMessage());
        String json = problem.toResponse().body();
        assertTrue(json.contains("\"type\":\"/problems/") && json.contains("\"detail\""), json);
    }
}
