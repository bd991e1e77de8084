package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated malformed and hostile requests (bad JSON, huge bodies, wrong types, odd unicode,
 * injection strings in ids and headers) sent to the real API handler: never a 5xx, never a stored
 * job. 1,000 cases in the suite; {@code -Djqwik.tries.default=10000} for the full run.
 */
class ApiFuzzTest {
    private static final List<String> HOSTILE = List.of(
            "' OR '1'='1", "\"; DROP TABLE jobs; --", "../../etc/passwd", "%2e%2e%2f", "\u0000", "\u202e\u0041\u0042",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "\uD83D\uDCA5\uD83D\uDD25",
            "tenant#x", "dlq#123", "stats#0", "\uFFFF\uFFFE", "a".repeat(5000), " ", "", "null", "NaN", "-1",
            "\\u0000", "\r\nX-Injected: yes", "jobline/admin", "echo ", "ECHO", "ech\u043e");

    private static LocalAws aws;
    private static Jobline jobline;

    @BeforeContainer
    static void startStack() {
        aws = LocalAws.start();
        LocalResources resources = aws.provision(LocalAwsExtension.template());
        jobline = new Jobline(aws, resources);
    }

    @AfterContainer
    static void nothingWasStoredOrSent() {
        try {
            assertEquals(0, jobline.storedItems(), "a hostile request stored a job");
            assertEquals(0, jobline.visibleMessages(), "a hostile request sent a message");
        } finally {
            aws.close();
        }
    }

    /** One request as API Gateway would deliver it. */
    record Hostile(String method, String path, String contentType, String body, boolean base64, String tenant,
                   String idempotencyKey, Map<String, String> query) {
    }

    @Property
    void aHostileRequestNeverGets5xxAndNeverStoresAJob(@ForAll("hostileRequests") Hostile request) {
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.setRawPath(request.path());
        event.getRequestContext().getHttp().setMethod(request.method());
        event.getRequestContext().getHttp().setPath(request.path());
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.remove("content-type");
        if (request.contentType() != null) {
            headers.put("content-type", request.contentType());
        }
        if (request.idempotencyKey() != null) {
            headers.put("idempotency-key", request.idempotencyKey());
        }
        event.setHeaders(headers);
        event.setBody(request.body());
        event.setIsBase64Encoded(request.base64());
        event.setQueryStringParameters(request.query().isEmpty() ? null : request.query());
        Map<String, String> claims = event.getRequestContext().getAuthorizer().getJwt().getClaims();
        if (request.tenant() == null) {
            claims.remove("sub");
        } else {
            claims.put("sub", request.tenant());
        }

        APIGatewayV2HTTPResponse response = jobline.api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));

        assertTrue(response.getStatusCode() < 500, response.getStatusCode() + " for " + request + ": " + response.getBody());
        if (response.getStatusCode() >= 400) {
            assertEquals("application/problem+json", response.getHeaders().get("content-type"));
            assertTrue(Json.parseObject(response.getBody()).containsKey("detail"));
        }
    }

    @Provide
    Arbitrary<Hostile> hostileRequests() {
        Arbitrary<String> methods = Arbitraries.oneOf(
                Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "post", ""),
                Arbitraries.strings().ofMaxLength(10));
        Arbitrary<String> paths = Arbitraries.oneOf(
                Arbitraries.of("/jobs", "/jobs/batch", "/jobs/", "//jobs", "/stats", "/admin/redrive", "/job-types", "/"),
                hostileText().map(id -> "/jobs/" + id),
                hostileText().map(id -> "/jobs/" + id + "/cancel"),
                hostileText().map(id -> "/jobs/" + id + "/retry"),
                hostileText());
        Arbitrary<String> contentTypes = Arbitraries.oneOf(
                Arbitraries.of("application/json", "application/json; charset=utf-8", "application/problem+json",
                        "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"),
                hostileText(),
                Arbitraries.just(null));
        Arbitrary<Boolean> base64 = Arbitraries.of(false, false, false, true);
        Arbitrary<String> tenants = Arbitraries.oneOf(Arbitraries.of("tenant-a"), hostileText(), Arbitraries.just(null));
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.just(null), hostileText());
        Arbitrary<Map<String, String>> query = Arbitraries.maps(
                Arbitraries.of("status", "type", "limit", "cursor", "x"), hostileText()).ofMaxSize(3);
        return Combinators.combine(methods, paths, contentTypes, invalidBodies(), base64, tenants, keys, query)
                .as(Hostile::new);
    }

    private static Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.of(HOSTILE),
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(20),
                Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(10));
    }

    /** Bodies that are never a valid submission, so a request that gets through to storage is a defect. */
    private static Arbitrary<String> invalidBodies() {
        Arbitrary<String> notJson = Arbitraries.oneOf(
                hostileText(),
                Arbitraries.of("{", "}", "[", "{\"type\":", "{\"type\":\"echo\"", "{\"type\":\"echo\"}}", "{'type':'echo'}",
                        "{\"type\":\"echo\",}", "\uFEFF{\"type\":\"echo\"", "nul", "tru", "1e999999", "-"),
                Arbitraries.integers().between(1, 3000).map(depth -> "[".repeat(depth)),
                Arbitraries.integers().between(1, 3000).map(depth -> "{\"a\":".repeat(depth) + "1"));
        Arbitrary<String> badType = hostileText()
                .filter(type -> !List.of("echo", "sleep", "fail").contains(type))
                .map(type -> "{\"type\":" + Json.write(type) + ",\"payload\":{}}");
        Arbitrary<String> wrongTypes = Arbitraries.of(
                "{\"type\":5}", "{\"type\":null}", "{\"type\":[\"echo\"]}", "{\"type\":{\"name\":\"echo\"}}",
                "{\"type\":\"echo\",\"maxAttempts\":\"3\"}", "{\"type\":\"echo\",\"maxAttempts\":-1}",
                "{\"type\":\"echo\",\"maxAttempts\":1e3}", "{\"type\":\"echo\",\"timeoutSeconds\":1.5}",
                "{\"type\":\"echo\",\"priority\":7}", "{\"type\":\"echo\",\"runAt\":12}",
                "{\"type\":\"echo\",\"delaySeconds\":99999999999999999999}", "{\"type\":\"echo\",\"callbackUrl\":\"javascript:alert(1)\"}",
                "{\"type\":\"echo\",\"callbackUrl\":\"file:///etc/passwd\"}", "{\"jobs\":\"all\"}", "{\"jobs\":[]}", "[]", "42", "\"echo\"");
        Arbitrary<String> unknownField = Combinators.combine(hostileText(), hostileText())
                .as((name, value) -> "{\"type\":\"echo\"," + Json.write("x-" + name) + ":" + Json.write(value) + "}");
        Arbitrary<String> huge = Arbitraries.of(300 * 1024, 800 * 1024)
                .map(size -> "{\"type\":\"echo\",\"payload\":\"" + "x".repeat(size) + "\"}");
        Arbitrary<String> hugeBatch = Arbitraries.just("{\"jobs\":[" + "{\"type\":\"nope\"},".repeat(100) + "{\"type\":\"nope\"}]}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, notJson),
                net.jqwik.api.Tuple.of(4, badType),
                net.jqwik.api.Tuple.of(3, wrongTypes),
                net.jqwik.api.Tuple.of(3, unknownField),
                net.jqwik.api.Tuple.of(1, huge),
                net.jqwik.api.Tuple.of(1, hugeBatch),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    }
}
