package dev.jobline.api;

import dev.jobline.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An API answer: status, headers and a JSON body. */
public record HttpResponse(int status, Map<String, String> headers, String body) {

    static HttpResponse json(int status, Object body) {
        return new HttpResponse(status, Map.of("content-type", "application/json"), Json.write(body));
    }

    /** A text answer (a dashboard file): its media type as given. */
    static HttpResponse text(int status, String contentType, String body) {
        return new HttpResponse(status, Map.of("content-type", contentType), body);
    }

    /** The answer to HEAD: this one's status and headers, no body. */
    HttpResponse withoutBody() {
        return new HttpResponse(status, headers, null);
    }

    HttpResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, Map.copyOf(more), body);
    }
}
