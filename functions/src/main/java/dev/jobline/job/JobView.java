package dev.jobline.job;

import dev.jobline.cost.CostTotals;
import dev.jobline.cost.OnDemandPrices;
import dev.jobline.job.Job;
import dev.jobline.job.Progress;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public face of a job: what a caller sees, without the lease bookkeeping. GET /jobs/{id} answers
 * it, and a completion webhook carries it as its body.
 */
public final class JobView {
    private JobView() {
    }

    public static String selfLink(String jobId) {
        return "/jobs/" + jobId;
    }

    public static Map<String, Object> of(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("jobId", job.jobId());
        view.put("tenantId", job.tenantId());
        view.put("type", job.type());
        view.put("status", job.status().name());
        view.put("payload", Json.parseStored(job.payload()));
        view.put("attempts", job.attempts());
        view.put("maxAttempts", job.maxAttempts());
        view.put("timeoutSeconds", job.timeoutSeconds());
        view.put("cancelRequested", job.cancelRequested());
        view.put("priority", job.priority().label());
        put(view, "runAt", job.runAt());
        if (job.callbackUrl() != null) {
            view.put("callbackUrl", job.callbackUrl());
        }
        if (job.key() != null) {
            view.put("concurrencyKey", job.key().value());
            view.put("keyScope", job.key().scope().label());
            put(view, "keyHeldUntil", job.key().heldUntil());
        }
        if (job.status() == JobStatus.QUEUED && job.waitingFor() != null) {
            // due, but held back by a full concurrency limit (no attempt is spent waiting)
            view.put("waitingFor", job.waitingFor());
        }
        if (!job.dependsOn().isEmpty()) {
            view.put("dependsOn", job.dependsOn());
        }
        if (!job.dependents().isEmpty()) {
            view.put("dependents", job.dependents());
        }
        if (job.flowPending()) {
            // a batch flow's first job, until its submission has stored the whole flow
            view.put("waitingFor", job.waitingFor());
        }
        put(view, "createdAt", job.createdAt());
        put(view, "updatedAt", job.updatedAt());
        put(view, "startedAt", job.startedAt());
        put(view, "finishedAt", job.finishedAt());
        put(view, "nextAttemptAt", job.nextAttemptAt());
        put(view, "expiresAt", job.expiresAt());
        if (job.progress() != null) {
            view.put("progress", progress(job.progress()));
        }
        if (job.result() != null) {
            view.put("result", Json.parseStored(job.result()));
        }
        if (job.error() != null) {
            view.put("error", Map.of("code", job.error().code(), "message", job.error().message(), "retryable", job.error().retryable()));
        }
        if (job.webhook() != null) {
            view.put("webhook", webhook(job.webhook()));
        }
        if (job.cost() != null) {
            view.put("cost", cost(job.cost()));
        }
        view.put("links", Map.of("self", selfLink(job.jobId())));
        return view;
    }

    /**
     * The job without its payload and result, which can be large (a list of a hundred full jobs could be megabytes):
     * their sizes in bytes instead, and whether there is an error. What a list shows; the job itself has the rest.
     */
    public static Map<String, Object> summary(Job job) {
        Map<String, Object> view = of(job);
        view.remove("payload");
        view.remove("result");
        view.put("payloadBytes", job.payload() == null ? 0 : job.payload().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        if (job.result() != null) {
            view.put("resultBytes", job.result().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        return view;
    }

    /** How the completion webhook went: status and attempts, then the last answer or error when there was one. */
    private static Map<String, Object> webhook(WebhookDelivery delivery) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("status", delivery.status());
        view.put("attempts", delivery.attempts());
        if (delivery.lastStatusCode() != null) {
            view.put("lastStatusCode", delivery.lastStatusCode());
        }
        if (delivery.lastError() != null) {
            view.put("lastError", delivery.lastError());
        }
        put(view, "lastAttemptAt", delivery.lastAttemptAt());
        return view;
    }

    /** What the job has cost so far, and the date of the prices it was computed at. */
    private static Map<String, Object> cost(CostTotals cost) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("computeMillis", cost.computeMillis());
        view.put("gbSeconds", cost.gbSeconds().doubleValue());
        view.put("requests", cost.requests().doubleValue());
        view.put("dollars", cost.dollars().doubleValue());
        view.put("pricesAsOf", OnDemandPrices.AS_OF.toString());
        return view;
    }

    private static Map<String, Object> progress(Progress progress) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("current", progress.current());
        view.put("total", progress.total());
        if (progress.percent() != null) {
            view.put("percent", progress.percent());
        }
        if (progress.message() != null) {
            view.put("message", progress.message());
        }
        return view;
    }

    private static void put(Map<String, Object> view, String name, Instant time) {
        if (time != null) {
            view.put(name, time.toString());
        }
    }
}
