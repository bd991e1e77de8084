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
        assertTrue(problem.toResponse().body().contains("\"knownTypes\":[\"echo\",\"sleep\",\"fail\",\"scan-site\",\"collect\"]"), problem.toResponse().body());
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

    private SubmitRequest accepted(String body) {
        return SubmitRequest.parse(body, registry, 1024, java.time.Instant.parse("2026-11-24T12:00:00Z"));
    }

    @Test
    void aConcurrencyKeyComesWithItsScopeAndTtlOrTheTypesDefaults() {
        SubmitRequest request = accepted("{\"type\":\"echo\",\"concurrencyKey\":\"report-11\",\"keyScope\":\"untilFinished\","
                + "\"keyTtlSeconds\":600,\"onConflict\":\"returnExisting\"}");
        assertEquals("report-11", request.key().value());
        assertEquals(dev.jobline.job.KeyScope.ACTIVE, request.key().scope(), "untilFinished is active");
        assertEquals(java.time.Duration.ofSeconds(600), request.key().ttl());
        assertTrue(request.returnExisting());

        SubmitRequest defaults = accepted("{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyScope\":\"QUEUED\"}");
        assertEquals(dev.jobline.job.KeyScope.QUEUED, defaults.key().scope());
        assertEquals(java.time.Duration.ofHours(1), defaults.key().ttl());
        assertEquals(false, defaults.returnExisting());
    }

    @Test
    void aKeyedTypesJobIsKeyedByItsPayloadFieldUnlessItGivesAKey() {
        assertEquals("example.com", accepted("{\"type\":\"scan-site\",\"payload\":{\"siteId\":\"example.com\"}}").key().value());
        assertEquals("42", accepted("{\"type\":\"scan-site\",\"payload\":{\"siteId\":42}}").key().value());
        assertEquals("mine", accepted("{\"type\":\"scan-site\",\"payload\":{},\"concurrencyKey\":\"mine\"}").key().value());
        Problem missing = rejected("{\"type\":\"scan-site\",\"payload\":{\"pages\":3}}");
        assertTrue(missing.toResponse().body().contains("/problems/missing-field"), missing.toResponse().body());
        assertTrue(missing.toResponse().body().contains("siteId"), missing.toResponse().body());
    }

    @Test
    void anUnkeyedJobTakesOnConflictAloneButNotAScopeOrTtl() {
        assertEquals(null, accepted("{\"type\":\"echo\",\"onConflict\":\"reject\"}").key());
        assertEquals(400, rejected("{\"type\":\"echo\",\"keyScope\":\"active\"}").status());
        assertEquals(400, rejected("{\"type\":\"echo\",\"keyTtlSeconds\":5}").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"echo\",\"concurrencyKey\":\"\"}",
            "{\"type\":\"echo\",\"concurrencyKey\":7}",
            "{\"type\":\"echo\",\"concurrencyKey\":\"a\\u0000b\"}",
            "{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyScope\":\"forever\"}",
            "{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":0}",
            "{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":86401}",
            "{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"onConflict\":\"ignore\"}"})
    void aBadKeyFieldIsA400NamingTheField(String body) {
        Problem problem = rejected(body);
        assertEquals(400, problem.status());
        assertTrue(problem.toResponse().body().contains("\"field\""), problem.toResponse().body());
    }

    @Test
    void dependsOnTakesJobIdsAndRefsOnceEachInTheirOrder() {
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\",\"dependsOn\":[\"b-2\",\"ref:crawl\",\"b-2\"]}", registry,
                1024, java.time.Instant.parse("2026-11-24T12:00:00Z"));

        assertEquals(java.util.List.of("b-2", "ref:crawl"), request.dependsOn());
        assertTrue(request.refersToItems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a-1\"", "[1]", "[\"has space\"]", "[\"ref:\"]", "[\"ref:a b\"]",
            "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\",\"r\",\"s\",\"t\",\"u\"]"})
    void aDependsOnThatIsNotAListOfAtMost20JobIdsOrRefsIs400(String dependsOn) {
        Problem problem = rejected("{\"type\":\"echo\",\"dependsOn\":" + dependsOn + "}");

        assertEquals(400, problem.status());
        assertEquals("dependsOn", problem.body().get("field"));
    }

    @Test
    void anEmptyDependsOnIsNoneAsAGeneratedClientSendsIt() {
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\",\"dependsOn\":[],\"delaySeconds\":5}", registry, 1024,
                java.time.Instant.parse("2026-11-24T12:00:00Z"));

        assertEquals(java.util.List.of(), request.dependsOn());
    }

    @Test
    void aDependentJobTakesNoRunAtOrDelay() {
        Problem delayed = rejected("{\"type\":\"echo\",\"dependsOn\":[\"a-1\"],\"delaySeconds\":5}");
        Problem scheduled = rejected("{\"type\":\"echo\",\"dependsOn\":[\"a-1\"],\"runAt\":\"2026-11-25T12:00:00Z\"}");

        assertEquals("dependsOn", delayed.body().get("field"));
        assertEquals("dependsOn", scheduled.body().get("field"));
    }
}
