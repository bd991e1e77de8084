package dev.jobline.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web dashboard's files, served from the jar ({@code dashboard/} on the classpath): plain HTML, CSS and JavaScript,
 * no build step, nothing fetched from elsewhere. A fixed list of names, so no path reaches any other resource. The
 * page reads everything else from this API, with the caller's token.
 */
final class Dashboard {
    /** The files and their media types. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");
    /** Only this origin's files and API; no inline script; not framed. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Map<String, String> loaded = new ConcurrentHashMap<>();

    /** The page itself (GET /dashboard). */
    HttpResponse page() {
        return file("index.html");
    }

    /** One of its files; a 404 problem for any other name. */
    HttpResponse file(String name) {
        String type = FILES.get(name);
        if (type == null) {
            throw Problem.notFound("the dashboard has no file " + SubmitRequest.abbreviate(name) + "; it has " + FILES.keySet());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", type);
        headers.put("content-security-policy", CONTENT_SECURITY_POLICY);
        headers.put("x-content-type-options", "nosniff");
        // a new deployment's files are picked up at once: the browser asks again each time
        headers.put("cache-control", "no-cache");
        return new HttpResponse(200, Map.copyOf(headers), loaded.computeIfAbsent(name, Dashboard::read));
    }

    private static String read(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no dashboard/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
