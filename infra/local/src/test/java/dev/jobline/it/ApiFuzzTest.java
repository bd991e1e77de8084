package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.api.ApiHandler;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated malformed and hostile requests (bad JSON, huge bodies, wrong types, odd unicode, injection strings in
 * ids and headers, charsets, identities of any length and JSON type, tokens, admin bodies) sent to the real API
 * handler: never a 5xx, never a stored job, and every answer to a documented operation is one openapi.yaml describes.
 * 1,000 cases per property in the suite; {@code -Djqwik.tries.default=10000} for the full run.
 */
class ApiFuzzTest {
    private static final List<String> HOSTILE = List.of(
            "' OR '1'='1", "\"; DROP TABLE jobs; --", "../../etc/passwd", "%2e%2e%2f", "\u0000", "\u202e\u0041\u0042",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "\uD83D\uDCA5\uD83D\uDD25",
            "tenant#x", "dlq#123", "stats#0", "\uFFFF\uFFFE", "a".repeat(5000), " ", "", "null", "NaN", "-1",
            "\\u0000", "\r\nX-Injected: yes", "jobline/admin", "echo ", "ECHO", "ech\u043e");

    /** A field given as JSON null, as opposed to a field left out. */
    private static final Object EXPLICIT_NULL = new Object();

    private static LocalAws aws;
    private static Jobline jobline;
    /** The API function as SAM CLI runs it (AWS_SAM_LOCAL=true), on the same stack. */
    private static final Supplier<ApiHandler> SAM_LOCAL_API = new Supplier<>() {
        private ApiHandler api;

        @Override
        public synchronized ApiHandler get() {
            if (api == null) {
                api = jobline.apiWithLambdaVariables(Map.of("AWS_SAM_LOCAL", "true"));
            }
            return api;
        }
    };

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

    /**
     * One request as API Gateway would deliver it: the authorizer's claims (null: no sub; a scope, when given), and
     * headers beside the content type (a tenant header, a token, an idempotency key, anything).
     */
    record Hostile(String method, String path, String contentType, String body, boolean base64, String tenant,
                   String scope, Map<String, String> headers, Map<String, String> query) {
    }

    @Property
    void aHostileRequestNeverGets5xxAndNeverStoresAJob(@ForAll("hostileRequests") Hostile request) {
        assertAnsweredWithoutFault(jobline.api, event(request, true), request);
    }

    @Property
    void aHostileAdminRequestNeverGets5xx(@ForAll("adminRequests") Hostile request) {
        assertAnsweredWithoutFault(jobline.api, event(request, true), request);
    }

    /** sam local start-api: no authorizer, so the identity is whatever the headers say (tokens of any claims). */
    @Property
    void underSamLocalAHostileIdentityNeverGets5xx(@ForAll("samLocalRequests") Hostile request) {
        assertAnsweredWithoutFault(SAM_LOCAL_API.get(), event(request, false), request);
    }

    private static APIGatewayV2HTTPEvent event(Hostile request, boolean authorizer) {
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.setRawPath(request.path());
        event.getRequestContext().getHttp().setMethod(request.method());
        event.getRequestContext().getHttp().setPath(request.path());
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.remove("content-type");
        headers.remove("authorization");
        headers.putAll(request.headers());
        if (request.contentType() != null) {
            headers.put("content-type", request.contentType());
        }
        event.setHeaders(headers);
        event.setBody(request.body());
        event.setIsBase64Encoded(request.base64());
        event.setQueryStringParameters(request.query().isEmpty() ? null : request.query());
        if (!authorizer) {
            event.getRequestContext().setAuthorizer(null);
            return event;
        }
        Map<String, String> claims = event.getRequestContext().getAuthorizer().getJwt().getClaims();
        if (request.tenant() == null) {
            claims.remove("sub");
        } else {
            claims.put("sub", request.tenant());
        }
        if (request.scope() != null) {
            claims.put("scope", request.scope());
        }
        return event;
    }

    private static void assertAnsweredWithoutFault(ApiHandler api, APIGatewayV2HTTPEvent event, Hostile request) {
        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));

        assertTrue(response.getStatusCode() < 500, response.getStatusCode() + " for " + request + ": " + response.getBody());
        if (response.getStatusCode() >= 400 && !"HEAD".equalsIgnoreCase(request.method())) {
            assertEquals("application/problem+json", response.getHeaders().get("content-type"));
            assertTrue(Json.parseObject(response.getBody()).containsKey("detail"));
        }
        OpenApiContract.check(event, response);
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
        Arbitrary<Map<String, String>> query = Arbitraries.maps(
                Arbitraries.of("status", "type", "limit", "cursor", "x"), hostileText()).ofMaxSize(3);
        return Combinators.combine(methods, paths, contentTypes, invalidBodies(), base64, tenants(), scopes(),
                        Combinators.combine(headers(), query).as(Tuple::of))
                .as((method, path, type, body, encoded, tenant, scope, more) ->
                        new Hostile(method, path, type, body, encoded, tenant, scope, more.get1(), more.get2()));
    }

    /** POST /admin/redrive with bodies of every field, value and type, as callers with and without the scope. */
    @Provide
    Arbitrary<Hostile> adminRequests() {
        Arbitrary<String> methods = Arbitraries.of("POST", "POST", "POST", "GET", "HEAD");
        Arbitrary<String> paths = Arbitraries.of("/admin/redrive", "/admin/redrive", "/stats");
        Arbitrary<String> contentTypes = Arbitraries.oneOf(jsonContentTypes(), Arbitraries.just(null));
        Arbitrary<String> scopes = Arbitraries.oneOf(Arbitraries.of("jobline/admin", "jobline/admin other", "[jobline/admin]"), scopes());
        return Combinators.combine(methods, paths, contentTypes, redriveBodies(), Arbitraries.of(false, false, true),
                        tenants(), scopes, headers())
                .as((method, path, type, body, encoded, tenant, scope, headers) ->
                        new Hostile(method, path, type, body, encoded, tenant, scope, headers, Map.of()));
    }

    /** Routes that store nothing, reached with identities from headers alone. */
    @Provide
    Arbitrary<Hostile> samLocalRequests() {
        Arbitrary<String> methods = Arbitraries.of("GET", "HEAD", "POST");
        Arbitrary<String> paths = Arbitraries.of("/jobs", "/stats", "/webhook-secret", "/admin/redrive", "/jobs/batch",
                "/jobs/00000000-0000-4000-8000-000000000001");
        Arbitrary<Map<String, String>> identities = Combinators.combine(
                        Arbitraries.oneOf(tokens(), hostileText(), Arbitraries.just(null)),
                        Arbitraries.oneOf(tenants(), Arbitraries.just(null)))
                .as((token, tenant) -> {
                    Map<String, String> headers = new HashMap<>();
                    if (token != null) {
                        headers.put("authorization", token);
                    }
                    if (tenant != null) {
                        headers.put("x-jobline-tenant", tenant);
                    }
                    return headers;
                });
        Arbitrary<String> bodies = Arbitraries.oneOf(invalidBodies(), redriveBodies());
        return Combinators.combine(methods, paths, jsonContentTypes(), bodies, identities)
                .as((method, path, type, body, headers) -> new Hostile(method, path, type, body, false, null, null, headers, Map.of()));
    }

    /** Subjects of every length and shape, as API Gateway passes claims (strings; an array as "[a b]"). */
    private static Arbitrary<String> tenants() {
        return Arbitraries.oneOf(
                Arbitraries.of("tenant-a", "123", "null", "[a b]", "{\"a\":1}", "t".repeat(255), "t".repeat(256),
                        "t".repeat(2048), "x".repeat(8_000), "s".repeat(10_000)),
                hostileText(),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(200).ofMaxLength(3000),
                Arbitraries.just(null));
    }

    private static Arbitrary<String> scopes() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.of("jobline/admin"), hostileText());
    }

    /** Headers a caller may add: a tenant header, a token, an idempotency key, and any other. */
    private static Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("x-jobline-tenant", "authorization", "idempotency-key", "accept", "content-length",
                        "x-forwarded-for", "content-encoding"),
                hostileText().filter(name -> !name.isEmpty()).map(name -> name.toLowerCase(java.util.Locale.ROOT)));
        Arbitrary<String> values = Arbitraries.oneOf(hostileText(), tokens(), tenants().filter(java.util.Objects::nonNull));
        return Arbitraries.maps(names, values).ofMaxSize(4)
                // content-type has its own generator, and a header name of API Gateway's is never empty
                .map(headers -> {
                    headers.remove("content-type");
                    return headers;
                });
    }

    /** Bearer tokens: JWT payloads with a sub of every JSON type and length, scopes, and tokens that are no JWT. */
    private static Arbitrary<String> tokens() {
        Arbitrary<String> subs = Arbitraries.oneOf(
                tenants().filter(java.util.Objects::nonNull).map(Json::write),
                Arbitraries.of("123", "-1", "1e999", "true", "null", "[\"a\",\"b\"]", "{\"id\":\"a\"}", "\"\""));
        Arbitrary<String> payloads = Combinators.combine(subs, Arbitraries.of("", ",\"scope\":\"jobline/admin\"", ",\"scope\":7"))
                .as((sub, scope) -> "{\"sub\":" + sub + scope + "}");
        Arbitrary<String> jwts = Arbitraries.oneOf(payloads, Arbitraries.of("{}", "[]", "null", "{\"scope\":\"jobline/admin\"}"),
                        hostileText())
                .map(payload -> "Bearer eyJhbGciOiJub25lIn0." + java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".");
        return Arbitraries.oneOf(jwts, hostileText().map(token -> "Bearer " + token),
                Arbitraries.of("Bearer", "Bearer a.b", "Bearer a.b.c.d", "Basic dXNlcjpwYXNz", "Bearer ..."));
    }

    private static Arbitrary<String> jsonContentTypes() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=\"utf-8\"",
                "application/json; charset=", "application/json; charset=x-no-such-charset", "application/json; charset=???",
                "application/vnd.api+json; charset=UTF-16BE", "application/json; boundary=x; charset=ascii");
    }

    /**
     * Redrive bodies: each field absent, of its type, out of its range, null or of another type. Each has a field a
     * submission does not, so sent to POST /jobs it is refused, and a stored job is a defect.
     */
    private static Arbitrary<String> redriveBodies() {
        Arbitrary<Object> texts = Arbitraries.oneOf(Arbitraries.of("echo", "DEAD_LETTERED", "", "R".repeat(129)),
                hostileText().map(text -> (Object) text), Arbitraries.of(7, true, List.of("a")), Arbitraries.just(EXPLICIT_NULL));
        Arbitrary<Object> instants = Arbitraries.oneOf(
                Arbitraries.of("1970-01-01T00:00:00Z", "2026-11-24T19:00:00Z", "2026-11-24T19:00:00.123456789Z",
                        "2026-11-24T19:00:00+02:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z",
                        "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-24",
                        "yesterday", ""),
                Arbitraries.of(0, -1, 1.5, false), Arbitraries.just(EXPLICIT_NULL), hostileText().map(text -> (Object) text));
        Arbitrary<Object> flags = Arbitraries.oneOf(Arbitraries.of(true, false, "true", 1, 0), Arbitraries.just(EXPLICIT_NULL));
        Arbitrary<Object> limits = Arbitraries.oneOf(
                Arbitraries.of(1, 10_000, 0, 10_001, -5, 1.5, "10", Long.MAX_VALUE, new java.math.BigInteger("99999999999999999999")),
                Arbitraries.integers().map(n -> (Object) n), Arbitraries.just(EXPLICIT_NULL));
        Arbitrary<Map<String, Object>> fields = Combinators.combine(
                        texts.injectNull(0.5), texts.injectNull(0.5), instants.injectNull(0.4), instants.injectNull(0.4),
                        flags, limits.injectNull(0.5), flags.injectNull(0.5))
                .as((type, reason, from, to, dryRun, limit, move) -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    putUnlessAbsent(body, "type", type);
                    putUnlessAbsent(body, "reason", reason);
                    putUnlessAbsent(body, "from", from);
                    putUnlessAbsent(body, "to", to);
                    body.put("dryRun", dryRun == EXPLICIT_NULL ? null : dryRun);
                    putUnlessAbsent(body, "limit", limit);
                    putUnlessAbsent(body, "moveDeadLetterMessages", move);
                    return body;
                });
        return Arbitraries.oneOf(
                fields.map(ApiFuzzTest::redriveJson),
                Arbitraries.of("", "null", "{}", "[]", "{\"dryRun\":true,\"dryRun\":false}", "{\"dryRun\":true,\"x\":1}"));
    }

    /** A generated null stands for "left out"; {@link #EXPLICIT_NULL} for a JSON null. */
    private static void putUnlessAbsent(Map<String, Object> body, String name, Object value) {
        if (value != null) {
            body.put(name, value == EXPLICIT_NULL ? null : value);
        }
    }

    private static String redriveJson(Map<String, Object> body) {
        StringBuilder json = new StringBuilder("{");
        body.forEach((name, value) -> json.append(json.length() > 1 ? "," : "").append(Json.write(name)).append(':')
                .append(value == null ? "null" : Json.write(value)));
        return json.append('}').toString();
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
