package dev.jobline.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: every error the API returns. {@code type} is a stable, machine-readable
 * reference; {@code detail} tells a person what to change.
 */
public final class Problem extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    Problem(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    static Problem badRequest(String type, String detail) {
        return new Problem(400, type, "The request is not valid", detail);
    }

    static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail);
    }

    Problem with(String key, Object value) {
        if (key.equals("type") || key.equals("title") || key.equals("status") || key.equals("detail")) {
            throw new IllegalArgumentException("'" + key + "' is a member of every problem, not an extension");
        }
        extensions.put(key, value);
        return this;
    }

    /** The same problem about one item of a batch: its detail names the item, and {@code index} says which. */
    Problem atItem(int index) {
        Problem item = new Problem(status, type, title, "item " + index + ": " + getMessage());
        item.extensions.putAll(extensions);
        item.headers.putAll(headers);
        return item.with("index", index);
    }

    Problem withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    int status() {
        return status;
    }

    /** The problem document itself, also used inside batch answers. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", getMessage());
        body.putAll(extensions);
        return body;
    }

    HttpResponse toResponse() {
        Map<String, Object> body = body();
        Map<String, String> responseHeaders = new LinkedHashMap<>(headers);
        responseHeaders.put("content-type", "application/problem+json");
        return new HttpResponse(status, Map.copyOf(responseHeaders), HttpResponse.json(status, body).body());
    }
}
