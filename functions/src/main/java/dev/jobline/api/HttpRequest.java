package dev.jobline.api;

import java.util.Map;

/**
 * An API call as the routes see it, free of Lambda types. Header names are lower case; the tenant
 * is the authenticated caller (the JWT's sub), null when there is none.
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                          String body, String tenantId, String requestId) {

    public String header(String name) {
        return headers == null ? null : headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
