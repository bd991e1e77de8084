package dev.jobline.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs one webhook and tells how it went. Redirects are not followed (a 3xx is an answer like any
 * other): a signed call goes only where the tenant said, and a redirect cannot walk it elsewhere.
 */
final class CallbackClient {
    /** The receiver's answer: its status code, or why there was none (timeout, refused, unknown host). */
    record Answer(Integer statusCode, String error) {
        boolean delivered() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final HttpClient http;
    private final Duration readTimeout;

    CallbackClient(Duration connectTimeout, Duration readTimeout) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.readTimeout = readTimeout;
    }

    Answer post(URI url, Map<String, String> headers, String body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(readTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return new Answer(response.statusCode(), null);
        } catch (HttpTimeoutException e) {
            return new Answer(null, "timed out: " + e.getMessage());
        } catch (IOException e) {
            return new Answer(null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            return new Answer(null, "not callable: " + e.getMessage());
        }
    }
}
