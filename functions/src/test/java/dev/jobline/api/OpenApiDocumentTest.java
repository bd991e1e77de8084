package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.cost.CostTotals;
import dev.jobline.job.Job;
import dev.jobline.job.JobKey;
import dev.jobline.job.KeyScope;
import dev.jobline.job.JobView;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.Priority;
import dev.jobline.job.Progress;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.json.Json;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * openapi.yaml at the repository root is the API's contract: it must name exactly the routes the router answers and
 * the routes template.yaml gives API Gateway, with the security, errors and schemas the code really has.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final String PROBLEM = "application/problem+json";
    private static final String BEARER = "bearerAuth";

    private static Map<String, Object> document;
    private static Map<String, Object> template;
    private static List<Route> routes;
    private static String adminScope;

    @BeforeAll
    static void load() throws IOException {
        Path root = repositoryRoot();
        document = readYaml(root.resolve("openapi.yaml"), new SafeConstructor(strict()));
        template = readYaml(root.resolve("template.yaml"), new TagIgnoringConstructor(strict()));
        Wiring wiring = offlineWiring();
        routes = wiring.api().routes();
        adminScope = wiring.config().adminScope();
    }

    @Test
    void theDocumentIsOpenApi31WithTheDeployedAndTheLocalServer() {
        assertEquals("3.1.0", document.get("openapi"));
        assertNotNull(map(document.get("info")).get("title"));
        List<String> urls = list(document.get("servers")).stream().map(server -> (String) map(server).get("url")).toList();
        assertTrue(urls.contains("http://127.0.0.1:3000"), "the local runner is a server: " + urls);
        assertTrue(list(document.get("servers")).stream().anyMatch(server -> map(server).get("variables") != null),
                "the deployed API is a server with variables: " + urls);
    }

    @Test
    void theDocumentHasExactlyTheRoutesOfTheRouter() {
        Set<String> routed = routes.stream().map(route -> route.method() + " " + route.template())
                .collect(Collectors.toCollection(TreeSet::new));
        // the router answers HEAD on every GET route (GET without the body): a documented HEAD needs its GET routed
        operations().keySet().stream().filter(key -> key.startsWith("HEAD ") && routed.contains("GET " + key.substring(5)))
                .toList().forEach(routed::add);
        assertSameRoutes(routed, operations().keySet(), "JobsApi.routes()");
    }

    @Test
    void theDocumentHasExactlyTheHttpApiEventsOfTheTemplate() {
        assertSameRoutes(templateRoutes().keySet(), operations().keySet(), "template.yaml");
    }

    @Test
    void theRoutesWithoutAnAuthorizerInTheTemplateAreThePublicOnes() {
        Set<String> open = templateRoutes().entrySet().stream().filter(event -> event.getValue())
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        Set<String> publicRoutes = routes.stream().filter(route -> route.access() == Route.Access.PUBLIC)
                .map(route -> route.method() + " " + route.template()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(publicRoutes, open, "template events with Auth.Authorizer NONE");
    }

    @Test
    void tenantAndAdminRoutesNeedTheBearerTokenAndPublicRoutesNone() {
        Map<String, Object> scheme = map(resolve(map(map(document.get("components")).get("securitySchemes")).get(BEARER)));
        assertEquals("http", scheme.get("type"));
        assertEquals("bearer", scheme.get("scheme"));
        assertEquals("JWT", scheme.get("bearerFormat"));
        for (Route route : routes) {
            Object security = operation(route).get("security");
            assertNotNull(security, key(route) + " declares its security");
            List<Object> expected = switch (route.access()) {
                case PUBLIC -> List.of();
                case TENANT -> List.of(Map.of(BEARER, List.of()));
                case ADMIN -> List.of(Map.of(BEARER, List.of(adminScope)));
            };
            assertEquals(expected, security, key(route) + " is " + route.access());
        }
    }

    @Test
    void adminRoutesNameTheAdminScopeAndAnswer403() {
        List<Route> adminRoutes = routes.stream().filter(route -> route.access() == Route.Access.ADMIN).toList();
        assertFalse(adminRoutes.isEmpty());
        for (Route route : adminRoutes) {
            Map<String, Object> operation = operation(route);
            assertTrue(String.valueOf(operation.get("description")).contains(adminScope),
                    key(route) + " says in its description that it needs " + adminScope);
            Map<String, Object> forbidden = response(operation, "403");
            assertNotNull(forbidden, key(route) + " answers 403 without the scope");
            assertTrue(isProblem(forbidden), key(route) + "'s 403 is a problem");
        }
    }

    @Test
    void everyClientErrorIsAProblemAndEveryRouteWithATokenHasOne() {
        operations().forEach((key, operation) -> {
            Map<String, Object> responses = map(operation.get("responses"));
            List<String> clientErrors = responses.keySet().stream().filter(status -> status.startsWith("4")).toList();
            for (String status : key.startsWith("HEAD ") ? List.<String>of() : clientErrors) {
                // a HEAD answer has no body to carry a problem
                assertTrue(isProblem(response(operation, status)), key + " " + status + " offers " + PROBLEM + " with the Problem schema");
            }
            Map<String, Object> tooMany = response(operation, "429");
            assertTrue(tooMany == null || hasRetryAfter(tooMany), key + " 429 has Retry-After");
        });
        Map<String, Object> unavailable = map(map(map(document.get("components")).get("responses")).get("ServiceUnavailable"));
        assertTrue(isProblem(unavailable) && hasRetryAfter(unavailable), "a 503 for a storage failure is a problem with Retry-After");
        for (Route route : routes) {
            boolean hasClientError = map(operation(route).get("responses")).keySet().stream().anyMatch(status -> status.startsWith("4"));
            // a public route without input (health) has no client error to answer
            assertTrue(route.access() == Route.Access.PUBLIC || hasClientError, key(route) + " documents a 4xx problem");
        }
    }

    @Test
    void everyReferenceResolves() {
        List<String> references = new ArrayList<>();
        collectReferences(document, references);
        assertFalse(references.isEmpty());
        for (String reference : references) {
            assertTrue(reference.startsWith("#/"), "only local references: " + reference);
            assertNotNull(pointer(reference), "unresolved $ref " + reference);
        }
    }

    @Test
    void pathParametersAreDeclaredByEveryOperationOfThePath() {
        Pattern names = Pattern.compile("\\{([^}]+)}");
        operations().forEach((key, operation) -> {
            Set<String> inTemplate = new TreeSet<>();
            Matcher matcher = names.matcher(key.substring(key.indexOf(' ') + 1));
            while (matcher.find()) {
                inTemplate.add(matcher.group(1));
            }
            Set<String> declared = new TreeSet<>();
            for (Object parameter : list(operation.getOrDefault("parameters", List.of()))) {
                Map<String, Object> resolved = map(resolve(parameter));
                if ("path".equals(resolved.get("in"))) {
                    assertEquals(true, resolved.get("required"), key + ": a path parameter is required");
                    declared.add((String) resolved.get("name"));
                }
            }
            assertEquals(inTemplate, declared, key + " path parameters");
        });
    }

    @Test
    void everyOperationHasAUniqueIdAndASummary() {
        Set<String> ids = new TreeSet<>();
        operations().forEach((key, operation) -> {
            assertTrue(operation.get("operationId") instanceof String, key + " has an operationId");
            assertTrue(ids.add((String) operation.get("operationId")), key + "'s operationId is unique");
            assertTrue(operation.get("summary") instanceof String summary && !summary.isBlank(), key + " has a summary");
        });
    }

    @Test
    void theSubmissionSchemaHasExactlyTheFieldsASubmissionAccepts() {
        Map<String, Object> submission = schema("Submission");
        assertEquals(new TreeSet<>(SubmitRequest.FIELDS), new TreeSet<>(properties(submission).keySet()));
        assertEquals(false, submission.get("additionalProperties"), "unknown fields are rejected");
        assertEquals(List.of("type"), submission.get("required"));
        assertEquals(JobType.MAX_ATTEMPTS_LIMIT, map(properties(submission).get("maxAttempts")).get("maximum"));
        assertEquals(SubmitRequest.MAX_DELAY_SECONDS, map(properties(submission).get("delaySeconds")).get("maximum"));
        // any case, as the code reads it: the pattern takes every label in lower and upper case, and nothing else
        Pattern priority = Pattern.compile((String) map(properties(submission).get("priority")).get("pattern"));
        for (Priority label : Priority.values()) {
            assertTrue(priority.matcher(label.label()).matches() && priority.matcher(label.name()).matches(), label.name());
        }
        assertFalse(priority.matcher("urgent").matches());
    }

    @Test
    void theStatusFilterTakesEveryStatusInAnyCaseAsTheRouterDoes() {
        Map<String, Object> status = list(operations().get("GET /jobs").get("parameters")).stream()
                .map(parameter -> map(resolve(parameter))).filter(parameter -> "status".equals(parameter.get("name")))
                .findFirst().orElseThrow();
        Pattern name = Pattern.compile((String) map(map(status.get("schema")).get("items")).get("pattern"));
        for (JobStatus value : JobStatus.values()) {
            String lower = value.name().toLowerCase(java.util.Locale.ROOT);
            assertTrue(name.matcher(value.name()).matches() && name.matcher(lower).matches()
                    && name.matcher(" " + lower + " ").matches(), value.name());
        }
        assertFalse(name.matcher("DONE").matches());
    }

    @Test
    void theSubmitRouteTakesASubmissionAndTheBatchRouteUpToAHundred() {
        Map<String, Object> submit = operations().get("POST /jobs");
        assertEquals("#/components/schemas/Submission", requestSchemaReference(submit));
        Map<String, Object> batch = operations().get("POST /jobs/batch");
        assertEquals("#/components/schemas/Batch", requestSchemaReference(batch));
        Map<String, Object> jobs = map(properties(schema("Batch")).get("jobs"));
        assertEquals(1, jobs.get("minItems"));
        assertEquals(100, jobs.get("maxItems"));
        assertEquals("#/components/schemas/Submission", map(jobs.get("items")).get("$ref"));
    }

    @Test
    void theJobSchemaDescribesEveryFieldOfAFullyPopulatedJob() {
        Instant t = Instant.parse("2026-11-24T19:00:00Z");
        Job job = new Job("job-1", "tenant-a", "sleep", JobStatus.FAILED, "{\"seconds\":1}", 2, 3, 50,
                t, t.plusSeconds(9), t.plusSeconds(1), t.plusSeconds(8), new Progress(2, 5, "slept 2 of 5 steps"),
                "{\"slept\":2}", new JobError("TIMED_OUT", "took too long", true), "worker-1", t.plusSeconds(60),
                t.plusSeconds(5), true, t.plusSeconds(30), t.plusSeconds(86_400), 7, Priority.HIGH, t.plusSeconds(1),
                "https://example.com/hook", "hash", new WebhookDelivery(WebhookDelivery.FAILED, 3, 500, "server error", t.plusSeconds(9)),
                new CostTotals(412, new java.math.BigDecimal("0.412"), new java.math.BigDecimal("7.3"), new java.math.BigDecimal("0.0000123")),
                "worker-1", new JobKey("site-42", KeyScope.ACTIVE, t.plusSeconds(3600)), null, null, null);
        assertDescribes(schema("Job"), JobView.of(job), "Job");
    }

    @Test
    void theJobSchemaDescribesAJobWaitingForALimit() {
        Instant t = Instant.parse("2026-11-24T19:00:00Z");
        Job job = new Job("job-2", "tenant-a", "sleep", JobStatus.QUEUED, "{}", 0, 3, 50, t, t, null, null, null, null, null,
                null, null, null, false, null, null, 2, Priority.NORMAL, null, null, null, null, null, null, null, "tenant limit", null, null);

        Map<String, Object> view = JobView.of(job);

        assertEquals("tenant limit", view.get("waitingFor"));
        assertDescribes(schema("Job"), view, "Job");
    }

    @Test
    void theJobSchemaRequiresOnlyWhatEveryJobHas() {
        Job fresh = Job.submitted("job-1", "tenant-a", JobCatalog.registry().find("echo").orElseThrow(), "null", 3, 10, Instant.now());
        // the JSON as written: a field without a value is left out of it
        Set<String> emitted = Json.parseObject(Json.write(JobView.of(fresh))).keySet();
        for (Object required : list(schema("Job").get("required"))) {
            assertTrue(emitted.contains(required), "Job requires '" + required + "' but a new job has none: " + emitted);
        }
        List<String> statuses = Arrays.stream(JobStatus.values()).map(Enum::name).sorted().toList();
        assertEquals(statuses, sorted(schema("JobStatus").get("enum")));
    }

    // ---- the document

    /** "METHOD /path" to its operation, for every operation in the document. */
    private static Map<String, Map<String, Object>> operations() {
        Map<String, Map<String, Object>> operations = new TreeMap<>();
        map(document.get("paths")).forEach((path, item) -> map(item).forEach((method, operation) -> {
            if (METHODS.contains(method)) {
                operations.put(method.toUpperCase(java.util.Locale.ROOT) + " " + path, map(operation));
            }
        }));
        return operations;
    }

    private static Map<String, Object> operation(Route route) {
        Map<String, Object> operation = operations().get(key(route));
        assertNotNull(operation, key(route) + " is in the document");
        return operation;
    }

    private static String key(Route route) {
        return route.method() + " " + route.template();
    }

    private static Map<String, Object> response(Map<String, Object> operation, String status) {
        Object answer = map(operation.get("responses")).get(status);
        return answer == null ? null : map(resolve(answer));
    }

    private static boolean isProblem(Map<String, Object> response) {
        Object media = map(response.getOrDefault("content", Map.of())).get(PROBLEM);
        return media != null && "#/components/schemas/Problem".equals(map(map(media).get("schema")).get("$ref"));
    }

    private static boolean hasRetryAfter(Map<String, Object> response) {
        return map(response.getOrDefault("headers", Map.of())).containsKey("Retry-After");
    }

    private static String requestSchemaReference(Map<String, Object> operation) {
        Map<String, Object> body = map(resolve(operation.get("requestBody")));
        return (String) map(map(map(body.get("content")).get("application/json")).get("schema")).get("$ref");
    }

    private static Map<String, Object> schema(String name) {
        Map<String, Object> schema = map(map(map(document.get("components")).get("schemas")).get(name));
        assertNotNull(schema, "components.schemas." + name);
        return schema;
    }

    private static Map<String, Object> properties(Map<String, Object> schema) {
        return map(schema.getOrDefault("properties", Map.of()));
    }

    /** Every key of {@code emitted} is a property of {@code schema}, and so on into nested objects that list theirs. */
    private static void assertDescribes(Map<String, Object> schema, Map<?, ?> emitted, String where) {
        Map<String, Object> properties = properties(schema);
        for (Map.Entry<?, ?> field : emitted.entrySet()) {
            String name = String.valueOf(field.getKey());
            assertTrue(properties.containsKey(name), where + " has no property '" + name + "'; it has " + properties.keySet());
            Map<String, Object> property = map(resolve(properties.get(name)));
            if (field.getValue() instanceof Map<?, ?> nested && property.containsKey("properties")) {
                assertDescribes(property, nested, where + "." + name);
            }
        }
    }

    private static Object resolve(Object node) {
        Object current = node;
        for (int hops = 0; current instanceof Map<?, ?> reference && reference.get("$ref") instanceof String target; hops++) {
            assertTrue(hops < 10, "a $ref cycle at " + target);
            current = pointer(target);
            assertNotNull(current, "unresolved $ref " + target);
        }
        return current;
    }

    /** The node a local JSON pointer ({@code #/components/schemas/Job}) names, or null. */
    private static Object pointer(String reference) {
        Object node = document;
        for (String token : reference.substring(2).split("/")) {
            if (!(node instanceof Map<?, ?> parent)) {
                return null;
            }
            node = parent.get(token.replace("~1", "/").replace("~0", "~"));
        }
        return node;
    }

    private static void collectReferences(Object node, List<String> references) {
        if (node instanceof Map<?, ?> fields) {
            fields.forEach((name, value) -> {
                if ("$ref".equals(name)) {
                    references.add(String.valueOf(value));
                } else {
                    collectReferences(value, references);
                }
            });
        } else if (node instanceof List<?> items) {
            items.forEach(item -> collectReferences(item, references));
        }
    }

    // ---- the template

    /** "METHOD /path" of every HttpApi event in template.yaml, to whether it opts out of the authorizer. */
    private static Map<String, Boolean> templateRoutes() {
        Map<String, Boolean> events = new TreeMap<>();
        map(template.get("Resources")).forEach((name, resource) -> {
            Map<String, Object> properties = map(map(resource).getOrDefault("Properties", Map.of()));
            map(properties.getOrDefault("Events", Map.of())).forEach((eventName, event) -> {
                if ("HttpApi".equals(map(event).get("Type"))) {
                    Map<String, Object> eventProperties = map(map(event).get("Properties"));
                    String route = String.valueOf(eventProperties.get("Method")).toUpperCase(java.util.Locale.ROOT)
                            + " " + eventProperties.get("Path");
                    Object authorizer = map(eventProperties.getOrDefault("Auth", Map.of())).get("Authorizer");
                    events.put(route, "NONE".equals(authorizer));
                }
            });
        });
        assertFalse(events.isEmpty(), "template.yaml has HttpApi events");
        return events;
    }

    // ---- helpers

    private static void assertSameRoutes(Set<String> expected, Set<String> documented, String source) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(documented);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(),
                "openapi.yaml and " + source + " differ; not documented: " + missing + "; not in " + source + ": " + extra);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        if (node == null) {
            return null;
        }
        assertTrue(node instanceof Map, "expected a mapping, found " + node);
        Map<String, Object> copy = new LinkedHashMap<>();
        ((Map<Object, Object>) node).forEach((key, value) -> copy.put(String.valueOf(key), value));
        return copy;
    }

    private static List<?> list(Object node) {
        assertTrue(node instanceof List, "expected a sequence, found " + node);
        return (List<?>) node;
    }

    private static List<String> sorted(Object values) {
        return list(values).stream().map(String::valueOf).sorted().toList();
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("openapi.yaml")) && Files.exists(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no openapi.yaml beside template.yaml above " + Path.of("").toAbsolutePath());
    }

    private static LoaderOptions strict() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return options;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path file, SafeConstructor constructor) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return (Map<String, Object>) new Yaml(constructor).load(reader);
        }
    }

    /** Real SDK clients aimed at a closed port: building JobsApi makes no call, and the test makes none. */
    private static Wiring offlineWiring() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        URI nowhere = URI.create("http://127.0.0.1:1");
        Clients clients = new Clients(
                DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                        .endpointOverride(nowhere).httpClient(UrlConnectionHttpClient.create()).build(),
                SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                        .endpointOverride(nowhere).httpClient(UrlConnectionHttpClient.create()).build());
        return new Wiring(Config.from(Map.of("TABLE_NAME", "t", "QUEUE_URL", "http://127.0.0.1:1/q", "SCHEDULES_TABLE_NAME", "s")), clients,
                JobCatalog.registry(), Clock.systemUTC());
    }

    /** Reads CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...) as the plain node under them. */
    private static final class TagIgnoringConstructor extends SafeConstructor {
        TagIgnoringConstructor(LoaderOptions options) {
            super(options);
            yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    if (node instanceof ScalarNode scalar) {
                        return scalar.getValue();
                    }
                    if (node instanceof SequenceNode sequence) {
                        return constructSequence(sequence);
                    }
                    return constructMapping((MappingNode) node);
                }
            });
        }
    }
}
