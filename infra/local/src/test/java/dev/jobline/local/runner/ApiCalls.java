package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Real HTTP calls to a runner's API, for tests. */
final class ApiCalls {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    record Answer(int status, HttpResponse<String> response) {
        String body() {
            return response.body();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        Map<String, Object> json() {
            try {
                return JSON.std.mapFrom(response.body());
            } catch (IOException e) {
                throw new AssertionError("not a JSON object (" + status + "): " + response.body(), e);
            }
        }
    }

    ApiCalls(URI base) {
        this.base = base;
    }

    Answer get(String path, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), headers);
    }

    Answer head(String path, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()), headers);
    }

    Answer postJson(String path, String json, String... headers) {
        return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    Answer post(String path, String contentType, byte[] body, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), headers);
    }

    /** Submits a job as the default tenant; returns its id. */
    String submit(String submission, String... headers) {
        Answer answer = postJson("/jobs", submission, headers);
        if (answer.status() != 202) {
            throw new AssertionError("POST /jobs answered " + answer.status() + ": " + answer.body());
        }
        return (String) answer.json().get("jobId");
    }

    private Answer send(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
