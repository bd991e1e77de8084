package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jobline.api.LocalClaims;
import dev.jobline.local.LocalAws;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template's HTTP API on 127.0.0.1: each request becomes an API Gateway HTTP API payload-2.0 event for the
 * function whose route matches, and the function's answer becomes the HTTP response, as API Gateway would do it
 * (404 {@code {"message":"Not Found"}} without a route, 500 when the function fails, 503 when it times out). The JWT
 * authorizer is replaced by {@link LocalIdentity}.
 */
public final class HttpApiGateway implements AutoCloseable {
    /** API Gateway's payload limit. */
    private static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<HttpApiRoute> routes;
    private final LocalIdentity identity;
    private final RecentInvocations recent;
    /** Requests being answered: stop() waits for them itself (before Java 21, HttpServer.stop waits out its delay). */
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    private HttpApiGateway(HttpServer server, ExecutorService threads, List<HttpApiRoute> routes,
            LocalIdentity identity, RecentInvocations recent) {
        this.server = server;
        this.threads = threads;
        this.routes = List.copyOf(routes);
        this.identity = identity;
        this.recent = recent;
    }

    static HttpApiGateway start(int port, List<HttpApiRoute> routes, LocalIdentity identity, RecentInvocations recent) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the HTTP API on 127.0.0.1:" + port
                    + (port > 0 ? " (is another runner or sam local start-api using it? --port picks another)" : ""), e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(16, runnable -> {
            Thread thread = new Thread(runnable, "http-api-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        HttpApiGateway gateway = new HttpApiGateway(server, threads, routes, identity, recent);
        server.createContext("/", gateway::handle);
        server.setExecutor(threads);
        server.start();
        return gateway;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<HttpApiRoute> routes() {
        return routes;
    }

    private void handle(HttpExchange exchange) throws IOException {
        active.incrementAndGet();
        try (exchange) {
            String requestId = requestId();
            exchange.getResponseHeaders().set("apigw-requestid", requestId);
            if (stopping) {
                send(exchange, 503, "{\"message\":\"Service Unavailable\"}");
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                send(exchange, 413, "{\"message\":\"Request Entity Too Large\"}");
                return;
            }
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            URI uri = exchange.getRequestURI();
            Optional<HttpApiRoute.Match> match = HttpApiRoute.find(routes, method, uri.getPath());
            if (match.isEmpty()) {
                send(exchange, 404, "{\"message\":\"Not Found\"}");
                return;
            }
            Map<String, String> headers = headers(exchange.getRequestHeaders());
            HttpApiRoute route = match.get().route();
            Map<String, Object> authorizer = null;
            if (route.authorized()) {
                try {
                    authorizer = identity.authorizer(headers);
                } catch (LocalClaims.Unauthorized e) {
                    exchange.getResponseHeaders().set("www-authenticate", "Bearer error=\"invalid_token\"");
                    send(exchange, 401, "{\"message\":\"Unauthorized\"}");
                    return;
                }
            }
            String event = JSON.std.asString(event(exchange, method, uri, headers, body, match.get(), authorizer,
                    requestId));
            Invocation invocation = route.function().invoke(event, route.routeKey());
            int status = respond(exchange, invocation);
            recent.add(invocation, String.valueOf(status));
        } finally {
            active.decrementAndGet();
        }
    }

    private static String requestId() {
        byte[] random = new byte[10];
        ThreadLocalRandom.current().nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    /** Lower-case names; repeated headers joined with commas; cookies go to their own field, as API Gateway does. */
    private static Map<String, String> headers(Headers raw) {
        Map<String, String> headers = new LinkedHashMap<>();
        raw.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (!key.equals("cookie")) {
                headers.merge(key, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        return headers;
    }

    private Map<String, Object> event(HttpExchange exchange, String method, URI uri, Map<String, String> headers,
            byte[] body, HttpApiRoute.Match match, Map<String, Object> authorizer, String requestId) {
        Instant now = Instant.now();
        String rawPath = uri.getRawPath();
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", uri.getPath());
        http.put("protocol", exchange.getProtocol());
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));

        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", LocalAws.ACCOUNT_ID);
        context.put("apiId", "local");
        String host = headers.getOrDefault("host", "127.0.0.1");
        context.put("domainName", host);
        context.put("domainPrefix", host.split("[.:]", 2)[0]);
        context.put("http", http);
        context.put("requestId", requestId);
        context.put("routeKey", match.route().routeKey());
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());
        if (authorizer != null) {
            context.put("authorizer", authorizer);
        }

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", match.route().routeKey());
        event.put("rawPath", rawPath);
        event.put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        List<String> cookies = cookies(exchange.getRequestHeaders());
        if (!cookies.isEmpty()) {
            event.put("cookies", cookies);
        }
        event.put("headers", headers);
        Map<String, String> query = queryParameters(uri.getRawQuery());
        if (!query.isEmpty()) {
            event.put("queryStringParameters", query);
        }
        if (!match.pathParameters().isEmpty()) {
            event.put("pathParameters", match.pathParameters());
        }
        event.put("requestContext", context);
        if (body.length > 0) {
            Optional<String> text = isText(headers.get("content-type")) ? utf8(body) : Optional.empty();
            event.put("body", text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
            event.put("isBase64Encoded", text.isEmpty());
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    private static List<String> cookies(Headers raw) {
        List<String> cookies = new ArrayList<>();
        for (String header : raw.getOrDefault("Cookie", List.of())) {
            for (String cookie : header.split(";")) {
                if (!cookie.isBlank()) {
                    cookies.add(cookie.trim());
                }
            }
        }
        return cookies;
    }

    /** Decoded; a repeated name's values joined with commas. */
    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] parts = pair.split("=", 2);
            String name = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            String value = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            parameters.merge(name, value, (a, b) -> a + "," + b);
        }
        return parameters;
    }

    /** A body goes as text when it is text-like and valid UTF-8; anything else base64-encoded. */
    private static boolean isText(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.endsWith("/json") || type.endsWith("+json") || type.endsWith("/xml")
                || type.endsWith("+xml") || type.equals("application/x-www-form-urlencoded")
                || type.equals("application/javascript") || type.equals("application/graphql");
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Writes the function's answer; returns the status sent. */
    private static int respond(HttpExchange exchange, Invocation invocation) throws IOException {
        if (invocation.failed()) {
            boolean timedOut = invocation.error().contains("Sandbox.Timedout");
            return send(exchange, timedOut ? 503 : 500, timedOut ? "{\"message\":\"Service Unavailable\"}"
                    : "{\"message\":\"Internal Server Error\"}");
        }
        Object answer = JSON.std.anyFrom(invocation.response());
        if (!(answer instanceof Map<?, ?> response) || !response.containsKey("statusCode")) {
            // payload 2.0 without a statusCode: API Gateway sends the returned value as a JSON body
            exchange.getResponseHeaders().set("content-type", "application/json");
            return send(exchange, 200, invocation.response());
        }
        if (response.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(String.valueOf(name),
                    String.valueOf(value)));
        }
        if (response.get("multiValueHeaders") instanceof Map<?, ?> multi) {
            multi.forEach((name, values) -> {
                if (values instanceof List<?> list) {
                    list.forEach(value -> exchange.getResponseHeaders().add(String.valueOf(name), String.valueOf(value)));
                }
            });
        }
        if (response.get("cookies") instanceof List<?> cookies) {
            cookies.forEach(cookie -> exchange.getResponseHeaders().add("set-cookie", String.valueOf(cookie)));
        }
        Object body = response.get("body");
        byte[] bytes = body == null ? new byte[0]
                : Boolean.TRUE.equals(response.get("isBase64Encoded")) ? Base64.getDecoder().decode(String.valueOf(body))
                : String.valueOf(body).getBytes(StandardCharsets.UTF_8);
        int status = ((Number) response.get("statusCode")).intValue();
        return send(exchange, status, bytes);
    }

    private static int send(HttpExchange exchange, int status, String json) throws IOException {
        if (!exchange.getResponseHeaders().containsKey("content-type")) {
            exchange.getResponseHeaders().set("content-type", "application/json");
        }
        return send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static int send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean empty = body.length == 0 || status == 204 || status == 304
                || exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    /** Stops taking requests (503 meanwhile); waits up to {@code drain} for the ones being answered. */
    void stop(Duration drain) {
        stopping = true;
        long deadline = System.nanoTime() + drain.toNanos();
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop(0);
        threads.shutdown();
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }
}
