package dev.jobline.api;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An API call as the routes see it, free of Lambda types. Header names are lower case; the tenant
 * is the authenticated caller (the JWT's sub), null when there is none; scopes are the token's.
 *
 * @param unreadableBody why the body cannot be read as text (not base64, not UTF-8), or null: it is raised by
 *     {@link #body()}, so only a route that reads a body refuses it
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                          String body, Problem unreadableBody, String tenantId, Set<String> scopes, String requestId) {

    public HttpRequest {
        headers = headers == null ? Map.of() : headers;
        query = query == null ? Map.of() : query;
        scopes = scopes == null ? Set.of() : scopes;
    }

    /** The body as UTF-8 text; a {@link Problem} (400) when it is none. */
    @Override
    public String body() {
        if (unreadableBody != null) {
            throw unreadableBody;
        }
        return body;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String queryParameter(String name) {
        return query.get(name);
    }
}
