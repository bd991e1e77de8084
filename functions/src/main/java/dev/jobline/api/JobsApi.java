package dev.jobline.api;

import dev.jobline.job.Job;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.job.JobView;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.log.Log;
import dev.jobline.store.JobFilter;
import dev.jobline.store.JobStore;
import java.time.Duration;
import dev.jobline.store.RejectedInput;
import dev.jobline.webhook.WebhookSecrets;
import dev.jobline.webhook.WebhookSignature;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP routes of Jobline. Every answer is JSON; every error is application/problem+json. A job
 * of another tenant answers 404, exactly as one that does not exist, so ids leak nothing.
 */
public final class JobsApi {
    private static final Pattern JOB_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    private static final Pattern STATUS_NAME = Pattern.compile("^ *(" + String.join("|",
            java.util.Arrays.stream(JobStatus.values()).map(Enum::name).toList()) + ") *$", Pattern.CASE_INSENSITIVE);
    /** A redrive's type and reason: a job type or an error code, never free text. */
    private static final int MAX_FILTER_LENGTH = 128;
    /** The failure times a redrive can name: stored as epoch milliseconds, and no job failed before 1970. */
    private static final Instant LATEST_INSTANT = Instant.parse("9999-12-31T23:59:59.999Z");
    /** Room for a submission's own fields around the payload. */
    private static final int ENVELOPE_BYTES = 16 * 1024;
    /** Lambda takes at most 6 MB in a synchronous request. */
    private static final int MAX_BATCH_BODY_BYTES = 6 * 1024 * 1024;
    private static final int MAX_BATCH_ITEMS = 100;
    private static final int MAX_PAGE = 100;
    /** Says what a 202 or 200 to a submission means: created, repeated (the same Idempotency-Key) or existing (the key's holder). */
    static final String OUTCOME_HEADER = "jobline-submit-outcome";
    /** A wait ends well within API Gateway's 30-second integration timeout (the function's Timeout is 30 s). */
    static final int MAX_WAIT_SECONDS = 25;
    /** The most jobs one bulk cancel or retry acts on, and a bulk dry run lists. */
    static final int MAX_BULK = 500;
    /** An operator's list over all tenants merges each tenant's index: at most this many tenants. */
    static final int MAX_MERGED_TENANTS = 200;

    private final JobService jobs;
    private final AdminService admin;
    private final JobLifecycle lifecycle;
    private final dev.jobline.job.JobRegistry registry;
    private final int maxPayloadBytes;
    private final String adminScope;
    private final Clock clock;
    private final WebhookSecrets webhookSecrets;
    private final List<Route> routes;
    private final Dashboard dashboard = new Dashboard();

    /**
     * @param lifecycle      flushed at the end of every request (the moves' counts, metrics)
     * @param webhookSecrets null when the function has no signing key (GET /webhook-secret answers 503)
     */
    public JobsApi(JobService jobs, AdminService admin, JobLifecycle lifecycle, dev.jobline.job.JobRegistry registry,
                   int maxPayloadBytes, String adminScope, WebhookSecrets webhookSecrets) {
        this(jobs, admin, lifecycle, registry, maxPayloadBytes, adminScope, webhookSecrets, null);
    }

    /** @param schedules the /schedules routes; null for a function without a schedules table */
    public JobsApi(JobService jobs, AdminService admin, JobLifecycle lifecycle, dev.jobline.job.JobRegistry registry,
                   int maxPayloadBytes, String adminScope, WebhookSecrets webhookSecrets, SchedulesApi schedules) {
        this(jobs, admin, lifecycle, registry, maxPayloadBytes, adminScope, webhookSecrets, schedules, null);
    }

    /** @param reconciliation what /admin/reconcile starts and shows; null: no such routes */
    public JobsApi(JobService jobs, AdminService admin, JobLifecycle lifecycle, dev.jobline.job.JobRegistry registry,
                   int maxPayloadBytes, String adminScope, WebhookSecrets webhookSecrets, SchedulesApi schedules,
                   dev.jobline.reconcile.Reconciliation reconciliation) {
        this.jobs = jobs;
        this.admin = admin;
        this.lifecycle = lifecycle;
        this.registry = registry;
        this.maxPayloadBytes = maxPayloadBytes;
        this.adminScope = adminScope;
        this.webhookSecrets = webhookSecrets;
        this.clock = lifecycle.clock();
        List<Route> table = new ArrayList<>(List.of(
                new Route("GET", "/health", Route.Access.PUBLIC, (request, path) -> health()),
                new Route("GET", "/dashboard", Route.Access.PUBLIC, (request, path) -> dashboard.page()),
                new Route("GET", "/dashboard/{file}", Route.Access.PUBLIC, (request, path) -> dashboard.file(path.get("file"))),
                new Route("POST", "/jobs", Route.Access.TENANT, (request, path) -> submit(request)),
                new Route("GET", "/jobs", Route.Access.TENANT, (request, path) -> list(request)),
                new Route("POST", "/jobs/batch", Route.Access.TENANT, (request, path) -> submitBatch(request)),
                new Route("POST", "/jobs/bulk-cancel", Route.Access.TENANT, (request, path) -> bulk(request, Refusal.Action.CANCEL)),
                new Route("POST", "/jobs/bulk-retry", Route.Access.TENANT, (request, path) -> bulk(request, Refusal.Action.RETRY)),
                new Route("GET", "/jobs/{id}", Route.Access.TENANT, (request, path) -> get(request, path.get("id"))),
                new Route("POST", "/jobs/{id}/cancel", Route.Access.TENANT, (request, path) -> cancel(request, path.get("id"))),
                new Route("POST", "/jobs/{id}/retry", Route.Access.TENANT, (request, path) -> retry(request, path.get("id"))),
                new Route("GET", "/job-types", Route.Access.TENANT, (request, path) -> HttpResponse.json(200, Map.of("types", admin.jobTypes()))),
                new Route("POST", "/job-types/{type}/pause", Route.Access.ADMIN,
                        (request, path) -> HttpResponse.json(200, admin.pause(path.get("type")))),
                new Route("POST", "/job-types/{type}/resume", Route.Access.ADMIN,
                        (request, path) -> HttpResponse.json(200, admin.resume(path.get("type")))),
                new Route("GET", "/webhook-secret", Route.Access.TENANT, (request, path) -> webhookSecret(request)),
                new Route("GET", "/stats", Route.Access.ADMIN, (request, path) -> HttpResponse.json(200, admin.stats())),
                new Route("GET", "/admin/dead-letters", Route.Access.ADMIN, (request, path) -> deadLetters(request)),
                new Route("POST", "/admin/redrive", Route.Access.ADMIN, (request, path) -> redrive(request))));
        if (schedules != null) {
            table.addAll(schedules.routes());
        }
        if (reconciliation != null) {
            table.addAll(new ReconcileApi(reconciliation).routes());
        }
        this.routes = List.copyOf(table);
    }

    /** The route table, for documentation checks. */
    public List<Route> routes() {
        return routes;
    }

    public HttpResponse handle(HttpRequest request) {
        HttpResponse response = answer(request);
        // HEAD is GET without the body: same status and headers
        return "HEAD".equalsIgnoreCase(request.method()) ? response.withoutBody() : response;
    }

    private HttpResponse answer(HttpRequest request) {
        try {
            return route(request);
        } catch (Problem problem) {
            if (problem.status() >= 500) {
                Log.error("api.problem", problem, "status", problem.status());
            }
            return problem.toResponse();
        } catch (Refusal refusal) {
            return Problems.of(refusal).toResponse();
        } catch (JobStore.InvalidCursor e) {
            return Problem.badRequest("invalid-cursor", e.getMessage()).with("field", "cursor").toResponse();
        } catch (RuntimeException e) {
            if (RejectedInput.causedBy(e)) {
                // a value of the request the table cannot take: the caller's to change, not to retry
                Log.warn("api.rejected_by_storage", "path", request.path(), "reason", e.getMessage());
                return Problem.badRequest("invalid-value", "a value of the request cannot be stored; check ids and fields")
                        .toResponse();
            }
            // the table or queue could not be reached: the caller may try again, nothing half-written counts
            Log.error("api.unavailable", e, "path", request.path());
            return new Problem(503, "service-unavailable", "Service unavailable",
                    "Jobline could not reach its storage; try again shortly").withHeader("retry-after", "1").toResponse();
        } finally {
            lifecycle.flush();
        }
    }

    private HttpResponse route(HttpRequest request) {
        String method = request.method() == null ? "" : request.method().toUpperCase(Locale.ROOT);
        String path = request.path() == null ? "" : request.path();
        String routed = method.equals("HEAD") ? "GET" : method;
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> parameters = route.match(path);
            if (parameters == null) {
                continue;
            }
            if (!route.method().equals(routed)) {
                allowed.add(route.method());
                if (route.method().equals("GET")) {
                    allowed.add("HEAD");
                }
                continue;
            }
            authorize(route.access(), request);
            return route.endpoint().answer(request, parameters);
        }
        if (!allowed.isEmpty()) {
            String allow = String.join(", ", allowed);
            throw new Problem(405, "method-not-allowed", "Method not allowed", "this path takes " + allow).withHeader("allow", allow);
        }
        throw Problem.notFound("no route for " + method + " " + SubmitRequest.abbreviate(path));
    }

    private void authorize(Route.Access access, HttpRequest request) {
        if (access == Route.Access.PUBLIC) {
            return;
        }
        String tenant = request.tenantId();
        if (tenant == null || tenant.isBlank()) {
            throw new Problem(401, "unauthenticated", "Unauthenticated", "the request carries no caller identity (JWT 'sub' claim)")
                    .withHeader("www-authenticate", "Bearer");
        }
        if (!TenantId.isValid(tenant)) {
            throw new Problem(401, "invalid-tenant", "The caller's identity is not a valid tenant id",
                    "a tenant id (the JWT's 'sub' claim) is " + TenantId.RULE + ", not " + SubmitRequest.abbreviate(tenant))
                    .withHeader("www-authenticate", "Bearer error=\"invalid_token\"");
        }
        if (access == Route.Access.ADMIN && !request.scopes().contains(adminScope)) {
            throw new Problem(403, "forbidden", "Forbidden", "this route needs the '" + adminScope + "' scope");
        }
    }

    private HttpResponse health() {
        Map<String, Object> health = admin.health();
        return HttpResponse.json("ok".equals(health.get("status")) ? 200 : 503, health);
    }

    private HttpResponse submit(HttpRequest request) {
        requireJson(request);
        String body = request.body();
        if (body != null && body.length() > maxPayloadBytes + ENVELOPE_BYTES) {
            throw tooLarge("the body is larger than the " + maxPayloadBytes + "-byte payload limit allows", maxPayloadBytes);
        }
        String key = request.header("idempotency-key");
        if (key != null && !Idempotency.isValidKey(key)) {
            throw Problem.badRequest("invalid-idempotency-key", "an Idempotency-Key is 1-255 printable ASCII characters");
        }
        Duration wait = waitSeconds(request);
        SubmitRequest submission = SubmitRequest.parse(body, registry, maxPayloadBytes, clock.instant());
        if (submission.refersToItems()) {
            throw Problem.badRequest("invalid-field", "'ref' and \"ref:<name>\" in dependsOn name items of a batch flow "
                    + "(POST /jobs/batch); a single submission depends on job ids").with("field", "dependsOn");
        }
        JobService.Submitted submitted = jobs.submit(request.tenantId(), submission, key);
        Job job = submitted.job();
        if (!wait.isZero()) {
            // the submitter waits for the end (of its own job, a repeat's or the key's holder): 200 with the finished job,
            // or as without a wait when it is not done in time
            job = jobs.await(request.tenantId(), job.jobId(), revision -> revision.status().isTerminal(), wait);
            if (job.status().isTerminal()) {
                return HttpResponse.json(200, JobView.of(job)).withHeader("location", JobView.selfLink(job.jobId()))
                        .withHeader("etag", etag(job)).withHeader(OUTCOME_HEADER, submitted.outcome());
            }
        }
        // the same view either way, so a client reads 202 (created) and 200 (a repeat, or the key's holder) alike;
        // the header says which, so an existing job is never mistaken for a new one
        return HttpResponse.json(submitted.created() ? 202 : 200, JobView.of(job))
                .withHeader("location", JobView.selfLink(job.jobId()))
                .withHeader("etag", etag(job))
                .withHeader(OUTCOME_HEADER, submitted.outcome());
    }

    private HttpResponse submitBatch(HttpRequest request) {
        requireJson(request);
        String body = request.body();
        if (body != null && body.length() > MAX_BATCH_BODY_BYTES) {
            throw tooLarge("a batch body is at most " + MAX_BATCH_BODY_BYTES + " bytes", MAX_BATCH_BODY_BYTES);
        }
        Object parsed;
        try {
            parsed = Json.parse(body == null ? "" : body);
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the body is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> fields) || !(fields.get("jobs") instanceof List<?> items) || fields.size() != 1) {
            throw Problem.badRequest("invalid-body", "a batch is {\"jobs\": [submission, ...]}");
        }
        if (items.isEmpty() || items.size() > MAX_BATCH_ITEMS) {
            throw Problem.badRequest("invalid-batch-size", "a batch holds 1 to " + MAX_BATCH_ITEMS + " jobs, not " + items.size());
        }
        Instant now = clock.instant();
        // items that name each other (ref, dependsOn) make a flow: stored all or nothing, not item by item (an empty
        // dependsOn is none: a client generated from openapi.yaml sends one with every item)
        boolean flow = items.stream().anyMatch(item -> item instanceof Map<?, ?> submission && (submission.get("ref") != null
                || submission.get("dependsOn") instanceof List<?> parents && !parents.isEmpty()
                || submission.get("dependsOn") != null && !(submission.get("dependsOn") instanceof List<?>)));
        List<JobService.BatchItem> results = flow
                ? jobs.submitFlow(request.tenantId(), new ArrayList<>(items), item -> SubmitRequest.fromFields(item, registry, maxPayloadBytes, now))
                : jobs.submitAll(request.tenantId(), new ArrayList<>(items), item -> SubmitRequest.fromFields(item, registry, maxPayloadBytes, now));
        List<Map<String, Object>> answers = new ArrayList<>();
        int accepted = 0;
        int existing = 0;
        for (int i = 0; i < results.size(); i++) {
            JobService.BatchItem result = results.get(i);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("index", i);
            if (items.get(i) instanceof Map<?, ?> item && item.get("ref") instanceof String ref) {
                answer.put("ref", ref);
            }
            if (result.job() != null) {
                if (result.existing()) {
                    // not created: the job that holds the item's concurrency key (onConflict returnExisting)
                    existing++;
                    answer.put("existing", true);
                } else {
                    accepted++;
                }
                answer.put("jobId", result.job().jobId());
                answer.put("status", result.job().status().name());
                if (!result.job().dependsOn().isEmpty()) {
                    answer.put("dependsOn", result.job().dependsOn());
                }
                answer.put("links", Map.of("self", JobView.selfLink(result.job().jobId())));
            } else {
                answer.put("error", result.problem().body());
            }
            answers.add(answer);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", accepted);
        answer.put("existing", existing);
        answer.put("rejected", results.size() - accepted - existing);
        answer.put("jobs", answers);
        return HttpResponse.json(accepted > 0 ? 202 : existing > 0 ? 200 : 400, answer);
    }

    /**
     * The job; with {@code waitSeconds}, answers as soon as it differs from the version the caller has ({@code ifVersion},
     * or the ETag in {@code If-None-Match}) or when the wait ends. An If-None-Match that still matches then is 304.
     */
    private HttpResponse get(HttpRequest request, String jobId) {
        String id = validId(jobId);
        Duration wait = waitSeconds(request);
        Long known = knownVersion(request);
        String owner = ownerOf(request, id);
        Job job = known == null ? jobs.find(owner, id)
                : jobs.await(owner, id, revision -> revision.version() != known, wait);
        if (known != null && job.version() == known && request.header("if-none-match") != null) {
            return new HttpResponse(304, Map.of("etag", etag(job)), null);
        }
        return HttpResponse.json(200, JobView.of(job)).withHeader("etag", etag(job));
    }

    /** A job's ETag: its version, which every write moves on. */
    private static String etag(Job job) {
        return "\"" + job.version() + "\"";
    }

    /** The version the caller has: {@code ifVersion}, else an ETag of ours in If-None-Match; null for neither. */
    private static Long knownVersion(HttpRequest request) {
        String ifVersion = request.queryParameter("ifVersion");
        if (ifVersion != null) {
            try {
                long version = Long.parseLong(ifVersion.trim());
                if (version >= 0) {
                    return version;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw Problem.badRequest("invalid-parameter", "ifVersion must be a job's version, a whole number from 0")
                    .with("field", "ifVersion");
        }
        String match = request.header("if-none-match");
        if (match == null) {
            return null;
        }
        for (String tag : match.split(",")) {
            String value = tag.trim();
            if (value.startsWith("W/")) {
                value = value.substring(2);
            }
            if (value.length() > 2 && value.startsWith("\"") && value.endsWith("\"")) {
                try {
                    return Long.parseLong(value.substring(1, value.length() - 1));
                } catch (NumberFormatException e) {
                    // not one of ours: it matches no version
                }
            }
        }
        return -1L;   // no version of ours: any job differs from it
    }

    /** {@code waitSeconds}: 0 (no wait, the default) to {@value #MAX_WAIT_SECONDS}. */
    private static Duration waitSeconds(HttpRequest request) {
        String text = request.queryParameter("waitSeconds");
        if (text == null) {
            return Duration.ZERO;
        }
        try {
            int seconds = Integer.parseInt(text.trim());
            if (seconds >= 0 && seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Problem.badRequest("invalid-parameter", "waitSeconds must be a whole number from 0 to " + MAX_WAIT_SECONDS)
                .with("field", "waitSeconds");
    }

    /** Whether the caller has the admin scope: an operator acts on any tenant's jobs. */
    private boolean isAdmin(HttpRequest request) {
        return request.scopes().contains(adminScope);
    }

    /** The tenant whose job a request about one job acts on: the caller's own, or for an operator the job's. */
    private String ownerOf(HttpRequest request, String jobId) {
        return isAdmin(request) ? jobs.findAny(jobId).tenantId() : request.tenantId();
    }

    /** The caller's own webhook secret, to verify the Jobline-Signature of its completion webhooks. */
    private HttpResponse webhookSecret(HttpRequest request) {
        if (webhookSecrets == null) {
            throw new Problem(503, "webhooks-not-configured", "Webhooks are not configured",
                    "this deployment has no webhook signing key");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("secret", webhookSecrets.secretFor(request.tenantId()));
        answer.put("algorithm", "HMAC-SHA256");
        answer.put("signatureHeader", WebhookSignature.HEADER);
        answer.put("toleranceSeconds", WebhookSignature.DEFAULT_TOLERANCE.toSeconds());
        // a secret: no cache on the way may keep it
        return HttpResponse.json(200, answer).withHeader("cache-control", "no-store");
    }

    /**
     * A tenant's jobs newest first, filtered by status, type, created range or id. An operator (the admin scope) may name
     * any tenant, or none for all of them; {@code view=summary} leaves out payloads and results, whose sizes it gives.
     */
    private HttpResponse list(HttpRequest request) {
        JobFilter filter = filter(request.query(), null);
        int limit = 20;
        String limitParameter = request.queryParameter("limit");
        if (limitParameter != null) {
            try {
                limit = Integer.parseInt(limitParameter);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw Problem.badRequest("invalid-parameter", "limit must be a whole number from 1 to " + MAX_PAGE).with("field", "limit");
            }
        }
        boolean summary = summaryView(request);
        String tenant = tenantParameter(request);
        String jobId = request.queryParameter("jobId");
        JobStore.JobPage page;
        if (jobId != null && !jobId.isBlank()) {
            page = new JobStore.JobPage(byId(request, tenant, jobId.trim(), filter), null);
        } else if (tenant != null) {
            page = jobs.list(tenant, filter, limit, request.queryParameter("cursor"));
        } else {
            page = jobs.listAllTenants(allTenants(), filter, limit, request.queryParameter("cursor"));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobs", page.jobs().stream().map(job -> summary ? JobView.summary(job) : JobView.of(job)).toList());
        if (page.nextCursor() != null) {
            answer.put("nextCursor", page.nextCursor());
        }
        return HttpResponse.json(200, answer);
    }

    /** The one job an id search finds, when the caller may see it and it passes the filter; else none. */
    private List<Job> byId(HttpRequest request, String tenant, String jobId, JobFilter filter) {
        if (!JOB_ID.matcher(jobId).matches()) {
            return List.of();
        }
        try {
            Job job = tenant == null ? jobs.findAny(jobId) : jobs.find(tenant, jobId);
            return filter.matches(job) ? List.of(job) : List.of();
        } catch (Refusal.NotFound e) {
            return List.of();
        }
    }

    private List<String> allTenants() {
        List<String> tenants = admin.tenantIds();
        if (tenants.size() > MAX_MERGED_TENANTS) {
            throw Problem.badRequest("too-many-tenants", "there are " + tenants.size() + " tenants; a list over all of them "
                    + "merges at most " + MAX_MERGED_TENANTS + ": name one with 'tenant'").with("field", "tenant");
        }
        return tenants;
    }

    /**
     * Whose jobs: the caller's own; an operator's choice ({@code tenant}), or null for every tenant. A tenant naming
     * another tenant is refused.
     */
    private String tenantParameter(HttpRequest request) {
        String named = request.queryParameter("tenant");
        if (named != null && named.isBlank()) {
            named = null;
        }
        if (!isAdmin(request)) {
            if (named != null && !named.equals(request.tenantId())) {
                throw new Problem(403, "forbidden", "Forbidden", "listing another tenant's jobs needs the '" + adminScope + "' scope");
            }
            return request.tenantId();
        }
        if (named != null && !TenantId.isValid(named)) {
            throw Problem.badRequest("invalid-parameter", "tenant is " + TenantId.RULE).with("field", "tenant");
        }
        return named;
    }

    private static boolean summaryView(HttpRequest request) {
        String view = request.queryParameter("view");
        if (view == null || view.equals("full")) {
            return false;
        }
        if (view.equals("summary")) {
            return true;
        }
        throw Problem.badRequest("invalid-parameter", "view is 'full' (the default) or 'summary'").with("field", "view");
    }

    /**
     * A filter from query parameters (a list) or a bulk request's fields: status (names, any case, comma-separated),
     * type, concurrencyKey, createdAfter and createdBefore (RFC 3339). {@code allowed}, when given, bounds the statuses (a bulk cancel
     * selects only jobs it can cancel).
     */
    private JobFilter filter(Map<String, ?> fields, Set<JobStatus> allowed) {
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        Object statusField = fields.get("status");
        if (statusField != null && !(statusField instanceof String)) {
            throw Problem.badRequest("invalid-parameter", "status is text: names of statuses, comma-separated").with("field", "status");
        }
        String statusParameter = (String) statusField;
        if (statusParameter != null && !statusParameter.isBlank()) {
            for (String name : statusParameter.split(",", -1)) {
                // any case, spaces around a name allowed: openapi.yaml's pattern says the same
                Matcher status = STATUS_NAME.matcher(name);
                if (!status.matches()) {
                    throw Problem.badRequest("invalid-parameter", "status must be one or more of " + List.of(JobStatus.values())
                            + " (any case), comma-separated").with("field", "status");
                }
                statuses.add(JobStatus.valueOf(status.group(1).toUpperCase(Locale.ROOT)));
            }
        }
        if (allowed != null) {
            if (statuses.isEmpty()) {
                statuses.addAll(allowed);
            } else if (!allowed.containsAll(statuses)) {
                throw Problem.badRequest("invalid-parameter", "this action selects jobs in " + new TreeSet<>(allowed)
                        + " only, not " + new TreeSet<>(statuses)).with("field", "status");
            }
        }
        Object typeField = fields.get("type");
        if (typeField != null && !(typeField instanceof String)) {
            throw Problem.badRequest("invalid-parameter", "type is a job type's name").with("field", "type");
        }
        String type = (String) typeField;
        Object keyField = fields.get("concurrencyKey");
        if (keyField != null && (!(keyField instanceof String key) || key.length() > dev.jobline.job.JobKey.MAX_LENGTH)) {
            throw Problem.badRequest("invalid-parameter", "concurrencyKey is a key of at most " + dev.jobline.job.JobKey.MAX_LENGTH
                    + " characters").with("field", "concurrencyKey");
        }
        String concurrencyKey = keyField == null || ((String) keyField).isEmpty() ? null : (String) keyField;
        Instant after = instantParameter(fields, "createdAfter");
        Instant before = instantParameter(fields, "createdBefore");
        if (after != null && before != null && !after.isBefore(before)) {
            throw Problem.badRequest("invalid-parameter", "createdAfter (" + after + ") must be before createdBefore ("
                    + before + ")").with("field", "createdAfter");
        }
        return new JobFilter(statuses, type == null || type.isBlank() ? null : type, concurrencyKey, after, before);
    }

    private static Instant instantParameter(Map<String, ?> fields, String name) {
        Object value = fields.get(name);
        if (value == null || (value instanceof String text && text.isBlank())) {
            return null;
        }
        Problem invalid = Problem.badRequest("invalid-parameter", name + " must be an RFC 3339 instant from "
                + Instant.EPOCH + " to " + LATEST_INSTANT + ", such as 2026-12-01T09:00:00Z").with("field", name);
        if (!(value instanceof String text)) {
            throw invalid;
        }
        try {
            Instant instant = java.time.OffsetDateTime.parse(text.trim()).toInstant();
            if (instant.isBefore(Instant.EPOCH) || instant.isAfter(LATEST_INSTANT)) {
                throw invalid;
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw invalid;
        }
    }

    /**
     * Bulk cancel or retry. A dry run selects by filter (as a list does, newest first, at most {@code limit}) and only
     * answers what it selected: count and ids, for a confirmation that names them. The action itself takes the ids
     * (the ones confirmed, not whatever matches by then) and answers what it did to each.
     */
    private HttpResponse bulk(HttpRequest request, Refusal.Action action) {
        requireJson(request);
        Object parsed;
        try {
            parsed = Json.parse(request.body() == null ? "" : request.body());
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the body is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw Problem.badRequest("invalid-body", "a bulk request is a JSON object");
        }
        Set<String> known = Set.of("filter", "tenant", "limit", "dryRun", "jobIds");
        for (Object key : fields.keySet()) {
            if (!known.contains(key)) {
                throw Problem.badRequest("unknown-field", "unknown field " + SubmitRequest.abbreviate(String.valueOf(key))
                        + "; a bulk request has " + new TreeSet<>(known));
            }
        }
        boolean dryRun = flag(fields, "dryRun", false);
        Set<JobStatus> selectable = action == Refusal.Action.CANCEL
                ? EnumSet.of(JobStatus.WAITING, JobStatus.QUEUED, JobStatus.RUNNING) : EnumSet.of(JobStatus.FAILED, JobStatus.CANCELLED);
        if (dryRun == fields.containsKey("jobIds")) {
            throw Problem.badRequest("invalid-body", "a dry run selects by 'filter'; the action itself takes the 'jobIds' "
                    + "the dry run answered").with("field", "jobIds");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (dryRun) {
            if (fields.containsKey("filter") && !(fields.get("filter") instanceof Map)) {
                throw Problem.badRequest("invalid-field", "'filter' is an object: status, type, concurrencyKey, createdAfter, createdBefore")
                        .with("field", "filter");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> filterFields = fields.containsKey("filter") ? (Map<String, Object>) fields.get("filter") : Map.of();
            for (String key : filterFields.keySet()) {
                if (!Set.of("status", "type", "concurrencyKey", "createdAfter", "createdBefore").contains(key)) {
                    throw Problem.badRequest("unknown-field", "unknown filter field " + SubmitRequest.abbreviate(key)
                            + "; a filter has [concurrencyKey, createdAfter, createdBefore, status, type]").with("field", "filter");
                }
            }
            JobFilter filter = filter(filterFields, selectable);
            int limit = fields.containsKey("limit") ? boundedInt(fields.get("limit"), "limit", 1, MAX_BULK) : 100;
            if (fields.containsKey("tenant") && !(fields.get("tenant") instanceof String)) {
                throw Problem.badRequest("invalid-field", "'tenant' is a tenant id").with("field", "tenant");
            }
            String tenant = bulkTenant(request, (String) fields.get("tenant"));
            List<String> selected = new ArrayList<>();
            String cursor = null;
            boolean more;
            do {
                int want = limit + 1 - selected.size();
                JobStore.JobPage page = tenant != null ? jobs.list(tenant, filter, Math.min(MAX_PAGE, want), cursor)
                        : jobs.listAllTenants(allTenants(), filter, Math.min(MAX_PAGE, want), cursor);
                page.jobs().forEach(job -> selected.add(job.jobId()));
                cursor = page.nextCursor();
                more = cursor != null;
            } while (more && selected.size() <= limit);
            boolean beyond = selected.size() > limit || more;
            List<String> ids = selected.subList(0, Math.min(limit, selected.size()));
            answer.put("dryRun", true);
            answer.put("matched", ids.size());
            answer.put("moreMatch", beyond);
            answer.put("jobIds", ids);
            return HttpResponse.json(200, answer);
        }
        if (!(fields.get("jobIds") instanceof List<?> list) || list.isEmpty() || list.size() > MAX_BULK
                || !list.stream().allMatch(id -> id instanceof String)) {
            throw Problem.badRequest("invalid-field", "'jobIds' is a list of 1 to " + MAX_BULK + " job ids").with("field", "jobIds");
        }
        List<String> done = new ArrayList<>();
        List<Map<String, Object>> refused = new ArrayList<>();
        for (Object item : new java.util.LinkedHashSet<>(list)) {
            String jobId = (String) item;
            try {
                String id = validId(jobId);
                String owner = ownerOf(request, id);
                if (action == Refusal.Action.CANCEL) {
                    jobs.cancel(owner, id);
                } else {
                    jobs.retry(owner, id);
                }
                done.add(id);
            } catch (Refusal refusal) {
                Problem problem = Problems.of(refusal);
                refused.add(Map.of("jobId", SubmitRequest.abbreviate(jobId), "status", problem.status(),
                        "detail", SubmitRequest.abbreviate(refusal.getMessage())));
            }
        }
        Log.info(action == Refusal.Action.CANCEL ? "jobs.bulk_cancelled" : "jobs.bulk_retried", "tenantId", request.tenantId(),
                "done", done.size(), "refused", refused.size());
        answer.put("dryRun", false);
        answer.put("requested", done.size() + refused.size());
        answer.put("done", done.size());
        answer.put("jobIds", done);
        answer.put("refused", refused);
        return HttpResponse.json(200, answer);
    }

    /** A bulk dry run's tenant: the caller's own, or an operator's choice (null: every tenant). */
    private String bulkTenant(HttpRequest request, String named) {
        if (!isAdmin(request)) {
            if (named != null && !named.equals(request.tenantId())) {
                throw new Problem(403, "forbidden", "Forbidden", "acting on another tenant's jobs needs the '" + adminScope + "' scope");
            }
            return request.tenantId();
        }
        if (named != null && !TenantId.isValid(named)) {
            throw Problem.badRequest("invalid-field", "'tenant' is " + TenantId.RULE).with("field", "tenant");
        }
        return named;
    }

    /** The kept dead letters and the dead-letter queue's depth (an operator's page). */
    private HttpResponse deadLetters(HttpRequest request) {
        int limit = 20;
        String text = request.queryParameter("limit");
        if (text != null) {
            try {
                limit = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw Problem.badRequest("invalid-parameter", "limit must be a whole number from 1 to " + MAX_PAGE).with("field", "limit");
            }
        }
        String cursor = request.queryParameter("cursor");
        if (cursor != null && !cursor.matches("^[0-9]{1,15}:dlq#[!-~]{1,200}$")) {
            throw Problem.badRequest("invalid-cursor", "the cursor is not one this API issued").with("field", "cursor");
        }
        return HttpResponse.json(200, admin.deadLetters(limit, cursor));
    }

    private HttpResponse cancel(HttpRequest request, String jobId) {
        String id = validId(jobId);
        JobService.Cancelled cancelled = jobs.cancel(ownerOf(request, id), id);
        return HttpResponse.json(cancelled.immediately() ? 200 : 202, JobView.of(cancelled.job()));
    }

    private HttpResponse retry(HttpRequest request, String jobId) {
        String id = validId(jobId);
        return HttpResponse.json(202, JobView.of(jobs.retry(ownerOf(request, id), id)));
    }

    private HttpResponse redrive(HttpRequest request) {
        boolean noBody = request.body() == null || request.body().isBlank();
        if (!noBody) {
            requireJson(request);   // no body has no media type: all defaults
        }
        Object parsed;
        try {
            parsed = noBody ? Map.of() : Json.parse(request.body());
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the body is not valid JSON: " + e.getMessage());
        }
        if (parsed == null) {
            parsed = Map.of();   // JSON null: what a client generated from openapi.yaml sends when given no body
        }
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw Problem.badRequest("invalid-body", "a redrive request is a JSON object");
        }
        Set<String> known = Set.of("type", "reason", "from", "to", "dryRun", "limit", "moveDeadLetterMessages");
        for (Object key : fields.keySet()) {
            if (!known.contains(key)) {
                throw Problem.badRequest("unknown-field", "unknown field " + SubmitRequest.abbreviate(String.valueOf(key))
                        + "; a redrive has " + new TreeSet<>(known));
            }
        }
        Instant now = clock.instant();
        Instant from = instant(fields, "from", Instant.EPOCH);
        Instant to = instant(fields, "to", now);
        if (from.isAfter(to)) {
            throw Problem.badRequest("invalid-field", "'from' (" + from + ") is after 'to' (" + to + ")").with("field", "from");
        }
        AdminService.RedriveFilter filter = new AdminService.RedriveFilter(
                filterText(fields, "type"), filterText(fields, "reason"), from, to,
                flag(fields, "dryRun", false),
                fields.containsKey("limit") ? boundedInt(fields.get("limit"), "limit", 1, 10_000) : 1000,
                flag(fields, "moveDeadLetterMessages", false));
        return HttpResponse.json(200, admin.redrive(filter));
    }

    /** A path's job id; one that no job can have is not found, like one that does not exist. */
    private static String validId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new Refusal.NotFound(jobId);
        }
        return jobId;
    }

    /** JSON is UTF-8 (RFC 8259): a body labelled with any other charset is refused, not read as UTF-8. */
    static void requireJson(HttpRequest request) {
        String contentType = request.header("content-type");
        String[] parts = contentType == null ? new String[] {""} : contentType.split(";");
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json" + (contentType == null ? "" : ", not " + SubmitRequest.abbreviate(contentType)));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].trim().equalsIgnoreCase("charset")) {
                String charset = parameter.length < 2 ? "" : parameter[1].trim().replaceAll("^\"|\"$", "");
                if (!isUtf8(charset)) {
                    throw new Problem(415, "unsupported-media-type", "Unsupported media type",
                            "JSON is UTF-8: send the body as UTF-8, not " + SubmitRequest.abbreviate(charset));
                }
            }
        }
    }

    private static boolean isUtf8(String charset) {
        try {
            return Charset.isSupported(charset) && Charset.forName(charset).equals(StandardCharsets.UTF_8);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    /** Every 413 says which limit it met, in bytes. */
    private static Problem tooLarge(String detail, int limitBytes) {
        return new Problem(413, "payload-too-large", "The payload is too large", detail).with("limitBytes", limitBytes);
    }

    // A redrive field left out takes its default; one given must be of its type (null is not a value of any).

    /** A job type or an error code: 1-128 characters, no control characters. */
    private static String filterText(Map<?, ?> fields, String name) {
        if (!fields.containsKey(name)) {
            return null;
        }
        if (fields.get(name) instanceof String text && !text.isEmpty() && text.length() <= MAX_FILTER_LENGTH
                && text.codePoints().noneMatch(Character::isISOControl)) {
            return text;
        }
        throw Problem.badRequest("invalid-field", "'" + name + "' must be a string of 1-" + MAX_FILTER_LENGTH
                + " characters").with("field", name);
    }

    private static boolean flag(Map<?, ?> fields, String name, boolean fallback) {
        if (!fields.containsKey(name)) {
            return fallback;
        }
        if (fields.get(name) instanceof Boolean flag) {
            return flag;
        }
        throw Problem.badRequest("invalid-field", "'" + name + "' must be true or false").with("field", name);
    }

    private static Instant instant(Map<?, ?> fields, String name, Instant fallback) {
        if (!fields.containsKey(name)) {
            return fallback;
        }
        Problem invalid = Problem.badRequest("invalid-field", "'" + name + "' must be an RFC 3339 instant from "
                + Instant.EPOCH + " to " + LATEST_INSTANT + ", such as 2026-12-01T09:00:00Z").with("field", name);
        if (!(fields.get(name) instanceof String text)) {
            throw invalid;
        }
        try {
            Instant instant = Instant.parse(text);
            if (instant.isBefore(Instant.EPOCH) || instant.isAfter(LATEST_INSTANT)) {
                throw invalid;
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw invalid;
        }
    }

    private static int boundedInt(Object value, String name, int min, int max) {
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min && ((Number) value).longValue() <= max) {
            return ((Number) value).intValue();
        }
        throw Problem.badRequest("invalid-field", "'" + name + "' must be a whole number from " + min + " to " + max).with("field", name);
    }
}
