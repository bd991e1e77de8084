package dev.jobline.api;

import dev.jobline.job.Job;
import dev.jobline.job.JobRegistry;
import dev.jobline.log.Log;
import dev.jobline.store.JobStore;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The HTTP routes of Jobline. Every answer is JSON; every error is application/problem+json. */
public final class JobsApi {
    private static final Pattern JOB_PATH = Pattern.compile("^/jobs/([^/]+)$");
    private static final Pattern JOB_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    /** Room for the submission's own fields around the payload. */
    private static final int ENVELOPE_BYTES = 16 * 1024;

    private final JobStore store;
    private final JobRegistry registry;
    private final Submitter submitter;
    private final int maxPayloadBytes;

    JobsApi(JobStore store, JobRegistry registry, Submitter submitter, int maxPayloadBytes) {
        this.store = store;
        this.registry = registry;
        this.submitter = submitter;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public static JobsApi create(JobStore store, dev.jobline.queue.JobQueue queue, JobRegistry registry,
                                 java.time.Clock clock, int maxPayloadBytes) {
        return new JobsApi(store, registry, new Submitter(store, queue, clock, Submitter.randomIds()), maxPayloadBytes);
    }

    public HttpResponse handle(HttpRequest request) {
        try {
            return route(request);
        } catch (Problem problem) {
            if (problem.status() >= 500) {
                Log.error("api.problem", problem, "status", problem.status());
            }
            return problem.toResponse();
        } catch (RuntimeException e) {
            // the table or queue could not be reached: the caller may try again, nothing half-written counts
            Log.error("api.unavailable", e, "path", request.path());
            return new Problem(503, "service-unavailable", "Service unavailable",
                    "Jobline could not reach its storage; try again shortly").withHeader("retry-after", "1").toResponse();
        }
    }

    private HttpResponse route(HttpRequest request) {
        String method = request.method() == null ? "" : request.method().toUpperCase(Locale.ROOT);
        String path = request.path() == null ? "" : request.path();
        if (path.equals("/jobs")) {
            if (!method.equals("POST")) {
                throw methodNotAllowed("POST");
            }
            return submit(request);
        }
        Matcher job = JOB_PATH.matcher(path);
        if (job.matches()) {
            if (!method.equals("GET")) {
                throw methodNotAllowed("GET");
            }
            return get(request, job.group(1));
        }
        throw Problem.notFound("no route for " + method + " " + abbreviate(path));
    }

    private HttpResponse submit(HttpRequest request) {
        String tenant = tenantOf(request);
        requireJson(request);
        String body = request.body();
        if (body != null && body.length() > maxPayloadBytes + ENVELOPE_BYTES) {
            throw new Problem(413, "payload-too-large", "The payload is too large",
                    "the body is larger than the " + maxPayloadBytes + "-byte payload limit allows")
                    .with("limitBytes", maxPayloadBytes);
        }
        SubmitRequest submission = SubmitRequest.parse(body, registry, maxPayloadBytes);
        Job job = submitter.submit(tenant, submission);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobId", job.jobId());
        answer.put("status", job.status().name());
        answer.put("links", Map.of("self", JobView.selfLink(job.jobId())));
        return HttpResponse.json(202, answer).withHeader("location", JobView.selfLink(job.jobId()));
    }

    private HttpResponse get(HttpRequest request, String jobId) {
        String tenant = tenantOf(request);
        if (!JOB_ID.matcher(jobId).matches()) {
            throw jobNotFound(jobId);
        }
        Job job = store.find(jobId)
                .filter(found -> found.tenantId().equals(tenant))   // another tenant's job does not exist for you
                .orElseThrow(() -> jobNotFound(jobId));
        return HttpResponse.json(200, JobView.of(job));
    }

    private static String tenantOf(HttpRequest request) {
        String tenant = request.tenantId();
        if (tenant == null || tenant.isBlank()) {
            throw new Problem(401, "unauthenticated", "Unauthenticated", "the request carries no caller identity (JWT 'sub' claim)");
        }
        return tenant;
    }

    private static void requireJson(HttpRequest request) {
        String contentType = request.header("content-type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "send the submission as application/json" + (contentType == null ? "" : ", not " + abbreviate(contentType)));
        }
    }

    private static Problem jobNotFound(String jobId) {
        return Problem.notFound("no job " + abbreviate(jobId));
    }

    private static Problem methodNotAllowed(String allowed) {
        return new Problem(405, "method-not-allowed", "Method not allowed", "this path takes " + allowed).withHeader("allow", allowed);
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 80 ? clean : clean.substring(0, 80) + "...";
    }
}
