package dev.jobline.local.runner;

import dev.jobline.local.EventSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One route of the HTTP API, from a function's {@code HttpApi} event: {@code Method} and {@code Path} with
 * {@code {name}} and greedy {@code {name+}} parameters; no Method/Path is the {@code $default} route.
 *
 * @param authorized false for a route with {@code Auth: {Authorizer: NONE}}: its event carries no authorizer
 */
record HttpApiRoute(String method, String path, LambdaFunction function, boolean authorized) {

    static final String DEFAULT_ROUTE = "$default";

    /** A matched route with the values of its path parameters. */
    record Match(HttpApiRoute route, Map<String, String> pathParameters) {
    }

    static HttpApiRoute of(EventSource event, LambdaFunction function) {
        Object method = event.properties().get("Method");
        Object path = event.properties().get("Path");
        String verb = method == null ? "ANY" : String.valueOf(method).toUpperCase(Locale.ROOT);
        boolean open = event.properties().get("Auth") instanceof Map<?, ?> auth
                && "NONE".equalsIgnoreCase(String.valueOf(auth.get("Authorizer")));
        return new HttpApiRoute(verb.equals("X-AMAZON-APIGATEWAY-ANY-METHOD") ? "ANY" : verb,
                path == null ? DEFAULT_ROUTE : String.valueOf(path), function, !open);
    }

    /** {@code POST /jobs}, or {@code $default}. */
    String routeKey() {
        return path.equals(DEFAULT_ROUTE) ? DEFAULT_ROUTE : method + " " + path;
    }

    /**
     * API Gateway's choice among routes: an exact path first, then the one with the most literal segments, greedy
     * parameters last, a route with the request's method before ANY, and {@code $default} when nothing else matches.
     */
    static Optional<Match> find(List<HttpApiRoute> routes, String method, String path) {
        List<Match> matches = new ArrayList<>();
        for (HttpApiRoute route : routes) {
            if (route.path.equals(DEFAULT_ROUTE)) {
                continue;
            }
            if (!route.method.equals("ANY") && !route.method.equalsIgnoreCase(method)) {
                continue;
            }
            route.match(path).ifPresent(parameters -> matches.add(new Match(route, parameters)));
        }
        Optional<Match> best = matches.stream().min(Comparator
                .comparing((Match m) -> m.route.path.contains("+}"))
                .thenComparing(m -> -m.route.literalSegments())
                .thenComparing(m -> m.route.method.equals("ANY")));
        if (best.isPresent()) {
            return best;
        }
        return routes.stream().filter(route -> route.path.equals(DEFAULT_ROUTE)).findFirst()
                .map(route -> new Match(route, Map.of()));
    }

    private long literalSegments() {
        return segments(path).stream().filter(segment -> !segment.startsWith("{")).count();
    }

    private Optional<Map<String, String>> match(String requestPath) {
        List<String> pattern = segments(path);
        List<String> actual = segments(requestPath);
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String segment = pattern.get(i);
            if (segment.startsWith("{") && segment.endsWith("+}")) {
                if (i >= actual.size()) {
                    return Optional.empty();
                }
                parameters.put(segment.substring(1, segment.length() - 2),
                        String.join("/", actual.subList(i, actual.size())));
                return Optional.of(parameters);
            }
            if (i >= actual.size()) {
                return Optional.empty();
            }
            if (segment.startsWith("{") && segment.endsWith("}")) {
                if (actual.get(i).isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(segment.substring(1, segment.length() - 1), actual.get(i));
            } else if (!segment.equals(actual.get(i))) {
                return Optional.empty();
            }
        }
        return pattern.size() == actual.size() ? Optional.of(parameters) : Optional.empty();
    }

    private static List<String> segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }
}
