package dev.jobline.api;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One route of the API: method, path template ({@code /jobs/{id}}) and what answers it. The route
 * table is public so the OpenAPI document can be checked against it.
 */
public record Route(String method, String template, Access access, Endpoint endpoint) {

    /** Who may call a route. */
    public enum Access { PUBLIC, TENANT, ADMIN }

    @FunctionalInterface
    interface Endpoint {
        HttpResponse answer(HttpRequest request, Map<String, String> pathParameters);
    }

    /** The path parameters when {@code path} fits the template, else null. */
    Map<String, String> match(String path) {
        Matcher matcher = pattern().matcher(path);
        if (!matcher.matches()) {
            return null;
        }
        Matcher names = Pattern.compile("\\{([a-zA-Z]+)}").matcher(template);
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        int group = 1;
        while (names.find()) {
            parameters.put(names.group(1), matcher.group(group++));
        }
        return parameters;
    }

    private Pattern pattern() {
        return Pattern.compile("^" + template.replaceAll("\\{[a-zA-Z]+}", "([^/]+)") + "$");
    }
}
